/**
 * The flattened configs of the listed runs, read with `runs.configs` only once a column needs
 * them (or the column picker lists their keys). A config never changes once its run exists, so
 * each run's is asked for once: later calls ask only for runs not seen yet (new ones).
 */
import type { ApiClient } from '../api/client';
import type { ContractError, JsonValue } from '../api/contract';
import { withFlatConfigs, type ConfigLookup } from './run-columns';

/** The most ids one `runs.configs` takes (its params schema). */
const BATCH = 5000;

export class RunConfigs {
  readonly #client: ApiClient;
  // Replaced as a whole per answer: one signal, not one per run.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, never mutated
  #byRun = $state.raw<ReadonlyMap<string, ReadonlyMap<string, JsonValue>>>(new Map());
  #pending = $state(0);
  #error = $state.raw<ContractError | null>(null);
  /** Asked for already (answered or in flight): a run deleted meanwhile is not asked again. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping nothing renders
  readonly #asked = new Set<string>();

  constructor(client: ApiClient) {
    this.#client = client;
  }

  readonly lookup: ConfigLookup = (runId) => this.#byRun.get(runId);

  get loading(): boolean {
    return this.#pending > 0;
  }

  get error(): ContractError | null {
    return this.#error;
  }

  /** Reads the configs of the runs among `runIds` not asked for yet. */
  async ensure(runIds: readonly string[]): Promise<void> {
    const missing = runIds.filter((id) => !this.#asked.has(id));
    if (missing.length === 0) return;
    for (const id of missing) this.#asked.add(id);
    this.#error = null;
    this.#pending++;
    try {
      for (let at = 0; at < missing.length; at += BATCH) {
        const batch = missing.slice(at, at + BATCH);
        const result = await this.#client.request('runs.configs', { runIds: batch });
        if (!result.ok) {
          // Asked again by the next call (the picker opened again, a retry).
          for (const id of batch) this.#asked.delete(id);
          this.#error = result.error;
          continue;
        }
        this.#byRun = withFlatConfigs(this.#byRun, result.data);
      }
    } finally {
      this.#pending--;
    }
  }
}
