/**
 * The Runs list's chosen columns, read from local storage when the list opens and written back on
 * every change, so a reload (or the next start of the app) shows the same table.
 */
import { COLUMNS_STORAGE_KEY, parseColumnChoice, serializeColumnChoice, toggleColumn } from './column-choice';
import { DEFAULT_COLUMNS, type ColumnKey } from './run-columns';

function stored(): readonly ColumnKey[] {
  try {
    return parseColumnChoice(localStorage.getItem(COLUMNS_STORAGE_KEY));
  } catch {
    // Storage can be unavailable (a locked-down browser profile): the defaults then.
    return DEFAULT_COLUMNS;
  }
}

export class ColumnChoice {
  #keys = $state.raw<readonly ColumnKey[]>(stored());

  get keys(): readonly ColumnKey[] {
    return this.#keys;
  }

  has(key: ColumnKey): boolean {
    return this.#keys.includes(key);
  }

  toggle(key: ColumnKey, on: boolean): void {
    this.#set(toggleColumn(this.#keys, key, on));
  }

  reset(): void {
    this.#set(DEFAULT_COLUMNS);
  }

  #set(keys: readonly ColumnKey[]): void {
    this.#keys = keys;
    try {
      localStorage.setItem(COLUMNS_STORAGE_KEY, serializeColumnChoice(keys));
    } catch {
      // Not kept across reloads, but shown now.
    }
  }
}
