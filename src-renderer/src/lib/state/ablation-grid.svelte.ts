/**
 * The ablation grids the host knows (`ablation.list`, so a grid survives a reload) and the runs
 * behind the chosen one, kept live: a status change re-reads its run, an epoch event fills in its
 * numbers, and a run that completes gets its recorded firing rate.
 */
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { ApiClient } from '../api/client';
import type { AblationGroup, AppEvent, ContractError, RunSummary } from '../api/contract';
import { missingCase } from '../api/exhaustive';
import { FIRING_RATE_PREFIX, lastEpochFiringRate, meanOfRates, type RunExtras } from './ablation';
import type { LoadState } from './load-state';

export interface AblationRequest {
  readonly preset: string;
  readonly values: Readonly<Record<string, string | boolean>>;
  readonly seeds: readonly number[];
  readonly includeGlifF: boolean;
  readonly includeStatic: boolean;
}

export class AblationGrid {
  readonly #client: ApiClient;
  #groups = $state.raw<LoadState<readonly AblationGroup[]>>({ kind: 'loading' });
  #selectedId = $state<string | null>(null);
  readonly #runs = new SvelteMap<string, RunSummary>();
  readonly #extras = new SvelteMap<string, RunExtras>();
  /** Runs whose recorded firing rate was asked for, so that it is asked for once. */
  readonly #firingRequested = new SvelteSet<string>();

  readonly #selected = $derived.by((): AblationGroup | null => {
    if (this.#groups.kind !== 'ready') return null;
    return this.#groups.value.find((group) => group.groupId === this.#selectedId) ?? null;
  });

  constructor(client: ApiClient) {
    this.#client = client;
  }

  get groups(): LoadState<readonly AblationGroup[]> {
    return this.#groups;
  }

  get selected(): AblationGroup | null {
    return this.#selected;
  }

  /** The runs of the chosen grid that have been read so far. */
  get selectedRuns(): RunSummary[] {
    const group = this.#selected;
    if (!group) return [];
    return group.runIds.flatMap((runId) => this.#runs.get(runId) ?? []);
  }

  extras(runId: string): RunExtras | undefined {
    return this.#extras.get(runId);
  }

  select(groupId: string): void {
    this.#selectedId = groupId;
    this.#fetchFiringRates();
  }

  /** Reads the grids and every ablation run; keeps the chosen grid, or picks the newest. */
  async loadGroups(): Promise<void> {
    if (this.#groups.kind !== 'ready') this.#groups = { kind: 'loading' };
    const [groups, runs] = await Promise.all([
      this.#client.request('ablation.list', {}),
      this.#client.request('runs.list', { tags: ['ablation'] }),
    ]);
    if (!groups.ok || !runs.ok) {
      const error = !groups.ok ? groups.error : !runs.ok ? runs.error : null;
      if (error && this.#groups.kind !== 'ready') this.#groups = { kind: 'failed', error };
      return;
    }
    for (const run of runs.data) this.#runs.set(run.id, run);
    this.#groups = { kind: 'ready', value: groups.data };
    if (!groups.data.some((group) => group.groupId === this.#selectedId)) {
      this.#selectedId = groups.data[0]?.groupId ?? null;
    }
    this.#fetchFiringRates();
  }

  /** Follows pushed events and reloads after a lost connection; returns the function that stops. */
  follow(): () => void {
    let lost = false;
    const stopEvents = this.#client.onEvent((event) => this.#handle(event));
    const stopStatus = this.#client.onStatus((status) => {
      if (status === 'closed') lost = true;
      if (status === 'open' && lost) {
        lost = false;
        void this.loadGroups();
      }
    });
    return () => {
      stopEvents();
      stopStatus();
    };
  }

  /** Queues a grid; resolves to the host's error, or null once it is queued and shown. */
  async create(request: AblationRequest): Promise<ContractError | null> {
    const result = await this.#client.request('ablation.create', {
      preset: request.preset,
      values: { ...request.values },
      seeds: [...request.seeds],
      includeGlifF: request.includeGlifF,
      includeStatic: request.includeStatic,
    });
    if (!result.ok) return result.error;
    const group = result.data;
    const existing = this.#groups.kind === 'ready' ? this.#groups.value : [];
    this.#groups = { kind: 'ready', value: [group, ...existing.filter((g) => g.groupId !== group.groupId)] };
    this.#selectedId = group.groupId;
    await Promise.all(group.runIds.map((runId) => this.#refreshRun(runId)));
    return null;
  }

  /** Reruns a failed or cancelled cell; the new run takes the cell's place in the grid. */
  async rerun(runId: string): Promise<ContractError | null> {
    const result = await this.#client.request('runs.rerun', { runId });
    if (!result.ok) return result.error;
    const { config: _config, ...fresh } = result.data;
    this.#runs.set(fresh.id, fresh);
    this.#addToGroup(fresh);
    return null;
  }

  #addToGroup(run: RunSummary): void {
    if (this.#groups.kind !== 'ready') return;
    const tag = run.tags.find((candidate) => candidate.startsWith('ablation-'));
    const groups = this.#groups.value;
    if (!tag || !groups.some((group) => group.groupId === tag)) {
      // A grid queued elsewhere (another window, the CLI): read the list again.
      void this.loadGroups();
      return;
    }
    this.#groups = {
      kind: 'ready',
      value: groups.map((group) =>
        group.groupId === tag && !group.runIds.includes(run.id)
          ? { ...group, runIds: [...group.runIds, run.id] }
          : group,
      ),
    };
  }

  async #refreshRun(runId: string): Promise<void> {
    const result = await this.#client.request('runs.get', { runId });
    if (!result.ok) return;
    const { config: _config, ...run } = result.data.run;
    const known = this.#runs.has(runId);
    if (!known && !run.tags.includes('ablation')) return;
    this.#runs.set(runId, run);
    if (!known) this.#addToGroup(run);
    if (run.status === 'completed') void this.#fetchFiringRate(runId, result.data.metricNames);
  }

  /** Recorded firing rates of the chosen grid's completed runs that do not have one yet. */
  #fetchFiringRates(): void {
    for (const run of this.selectedRuns) {
      if (run.status === 'completed' && !this.#firingRequested.has(run.id))
        void this.#fetchFiringRate(run.id, null);
    }
  }

  async #fetchFiringRate(runId: string, knownNames: readonly string[] | null): Promise<void> {
    this.#firingRequested.add(runId);
    let names = knownNames;
    if (!names) {
      const details = await this.#client.request('runs.get', { runId });
      if (!details.ok) return;
      names = details.data.metricNames;
    }
    const rateNames = names.filter((name) => name.startsWith(FIRING_RATE_PREFIX));
    if (rateNames.length === 0) return;
    const series = await this.#client.request('runs.metrics', { runId, names: rateNames, maxPoints: 1000 });
    if (!series.ok) return;
    const previous = this.#extras.get(runId);
    this.#extras.set(runId, {
      firingRate: lastEpochFiringRate(series.data),
      liveAccuracy: previous?.liveAccuracy ?? null,
      liveEnergy: previous?.liveEnergy ?? null,
    });
  }

  #handle(event: AppEvent): void {
    switch (event.type) {
      case 'run.status': {
        const { runId } = event.payload;
        // Unknown runs are read too: a rerun or a grid queued from elsewhere joins its grid.
        if (this.#runs.has(runId) || this.#groups.kind === 'ready') void this.#refreshRun(runId);
        return;
      }
      case 'run.epoch': {
        const { runId, testAccuracy, points, firingRates } = event.payload;
        if (!this.#runs.has(runId)) return;
        this.#extras.set(runId, {
          firingRate: meanOfRates(firingRates),
          liveAccuracy: testAccuracy,
          liveEnergy: points.find((p) => p.name === 'epoch/energy_uj_per_sample')?.value ?? null,
        });
        return;
      }
      case 'run.started':
      case 'run.step':
      case 'run.backend':
      case 'run.log':
      case 'app.notice':
        return;
      default:
        missingCase(event);
    }
  }
}
