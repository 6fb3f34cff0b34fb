/**
 * The run colours the user picked (Compare's legend), kept in local storage and shared by every
 * view that colours runs. A pick wins over the palette's colour by creation order.
 */
import { SvelteMap } from 'svelte/reactivity';
import { parseRunColorChoices, RUN_COLORS_STORAGE_KEY, serializeRunColorChoices } from './run-color-choices';

function load(): Map<string, string> {
  try {
    return parseRunColorChoices(localStorage.getItem(RUN_COLORS_STORAGE_KEY));
  } catch {
    return new Map();
  }
}

class RunColorOverrides {
  readonly #choices = new SvelteMap<string, string>(load());

  get(runId: string): string | undefined {
    return this.#choices.get(runId);
  }

  set(runId: string, color: string): void {
    this.#choices.set(runId, color.toLowerCase());
    this.#save();
  }

  /** Back to the palette's colour. */
  reset(runId: string): void {
    this.#choices.delete(runId);
    this.#save();
  }

  #save(): void {
    try {
      localStorage.setItem(RUN_COLORS_STORAGE_KEY, serializeRunColorChoices(this.#choices));
    } catch {
      // Kept for this session only.
    }
  }
}

export const runColorOverrides = new RunColorOverrides();
