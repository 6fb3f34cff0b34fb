/** Messages pushed by the main side (`app.notice` events), shown until dismissed. */
import type { AppNotice } from '../api/contract';

export interface ShownNotice extends AppNotice {
  readonly id: number;
}

const MAX_NOTICES = 5;

export class Notices {
  #items = $state<ShownNotice[]>([]);
  #nextId = 1;

  get items(): readonly ShownNotice[] {
    return this.#items;
  }

  add(notice: AppNotice): void {
    this.#items = [...this.#items, { ...notice, id: this.#nextId++ }].slice(-MAX_NOTICES);
  }

  dismiss(id: number): void {
    this.#items = this.#items.filter((item) => item.id !== id);
  }
}
