/**
 * Every run the store holds, kept live: loaded once with `runs.list`, then each `run.status`
 * event re-reads only the run it names, and step/epoch events move its progress on from where
 * the store had it. The table never reloads as a whole while it is shown, so rows do not flicker.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { ApiClient } from '../api/client';
import type { AppEvent, ContractError, RunSummary } from '../api/contract';
import { missingCase } from '../api/exhaustive';
import { followHost } from './follow-host';
import { contractErrorOf } from './load-state';
import {
  epochProgress,
  startedProgress,
  steppedProgress,
  storedProgress,
  type RunProgress,
} from './run-progress';
import { upsertRun } from './run-table';

export type RunsListState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly error: ContractError };

export interface RunChanges {
  readonly name?: string;
  readonly notes?: string;
  readonly tags?: readonly string[];
}

export class RunsList {
  readonly #client: ApiClient;
  #state = $state<RunsListState>({ kind: 'loading' });
  // Replaced wholesale on every change: rows are plain data, never mutated in place.
  #runs = $state.raw<readonly RunSummary[]>([]);
  readonly #progress = new SvelteMap<string, RunProgress>();
  #loadSeq = 0;

  constructor(client: ApiClient) {
    this.#client = client;
  }

  get state(): RunsListState {
    return this.#state;
  }

  get runs(): readonly RunSummary[] {
    return this.#runs;
  }

  /**
   * Progress of a run that is training now: from its events, else as stored when the list was
   * read (a page opened mid-run has seen none of its earlier events).
   */
  progress(runId: string): RunProgress | null {
    return this.#progress.get(runId) ?? this.#storedProgress(runId);
  }

  /** Loads the list; a reload keeps showing the rows it has until the answer comes. */
  async load(): Promise<void> {
    const seq = ++this.#loadSeq;
    if (this.#state.kind !== 'ready') this.#state = { kind: 'loading' };
    const result = await this.#client.request('runs.list', {});
    if (seq !== this.#loadSeq) return;
    if (result.ok) {
      this.#runs = result.data;
      this.#state = { kind: 'ready' };
    } else if (this.#state.kind !== 'ready') {
      this.#state = { kind: 'failed', error: result.error };
    }
  }

  /**
   * Loads now, follows pushed events, and reloads when a lost connection comes back (events
   * sent meanwhile are gone). Returns the function that stops following.
   */
  follow(): () => void {
    return followHost(
      this.#client,
      () => this.load(),
      (event) => this.#handle(event),
    );
  }

  /** Re-reads one run (after its status changed); a run that is gone leaves the list. */
  async refreshRun(runId: string): Promise<void> {
    const result = await this.#client.request('runs.get', { runId });
    if (result.ok) {
      const { config: _config, ...summary } = result.data.run;
      this.#runs = upsertRun(this.#runs, summary);
    } else if (result.error.code === 'not_found') {
      this.#runs = this.#runs.filter((run) => run.id !== runId);
    }
  }

  /** Renames a run, or sets its notes or tags; resolves to the error, or null when saved. */
  async update(runId: string, changes: RunChanges): Promise<ContractError | null> {
    try {
      const record = await this.#client.call('runs.update', {
        runId,
        ...changes,
        tags: changes.tags ? [...changes.tags] : undefined,
      });
      const { config: _config, ...summary } = record;
      this.#runs = upsertRun(this.#runs, summary);
      return null;
    } catch (error) {
      return contractErrorOf(error);
    }
  }

  async remove(runId: string): Promise<ContractError | null> {
    const result = await this.#client.request('runs.delete', { runId });
    if (!result.ok) return result.error;
    this.#runs = this.#runs.filter((run) => run.id !== runId);
    this.#progress.delete(runId);
    return null;
  }

  #epochsOf(runId: string): number | null {
    return this.#runs.find((run) => run.id === runId)?.columns.epochs ?? null;
  }

  #storedProgress(runId: string): RunProgress | null {
    const run = this.#runs.find((candidate) => candidate.id === runId);
    return run ? storedProgress(run) : null;
  }

  #handle(event: AppEvent): void {
    switch (event.type) {
      case 'run.status': {
        const { runId, status } = event.payload;
        if (status !== 'running') this.#progress.delete(runId);
        void this.refreshRun(runId);
        return;
      }
      case 'run.started': {
        const { runId } = event.payload;
        this.#progress.set(runId, startedProgress(event.payload, this.progress(runId) ?? undefined));
        return;
      }
      case 'run.step': {
        const { runId } = event.payload;
        this.#progress.set(
          runId,
          steppedProgress(event.payload, this.progress(runId) ?? undefined, this.#epochsOf(runId)),
        );
        return;
      }
      case 'run.epoch': {
        const { runId } = event.payload;
        this.#progress.set(
          runId,
          epochProgress(event.payload, this.progress(runId) ?? undefined, this.#epochsOf(runId)),
        );
        return;
      }
      case 'run.backend':
      case 'run.log':
      case 'app.notice':
        // Not shown in the table (the backend column is set by the next status change).
        return;
      default:
        missingCase(event);
    }
  }
}
