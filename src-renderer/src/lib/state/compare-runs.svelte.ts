/**
 * The runs of the Compare view: their comparison (config keys that differ, finals, seed groups),
 * their per-epoch series and, on demand, one layer's distributions of each. Runs that are still
 * training are re-read when they finish an epoch or change status.
 */
import type { ApiClient } from '../api/client';
import type { ContractError, DistributionQuantity, MetricPoint, RunComparison } from '../api/contract';
import type { DistributionEntry } from '../charts/distributions';
import { naturalOrder } from '../charts/firing-grid';
import { runColors, type RunColorOf } from '../charts/run-colors';
import type { XYSeries } from '../charts/series';
import { firstRecorded, pointsCurve, type CurveAxis } from './compare-charts';

export type CompareState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly comparison: RunComparison }
  | { readonly kind: 'failed'; readonly error: ContractError };

/** The metrics a comparison can overlay: per epoch, or per optimiser step (x = step). */
export const COMPARE_METRICS = [
  { id: 'epoch/test_accuracy', label: 'Test accuracy', percent: true, axis: 'epoch' },
  { id: 'epoch/test_loss', label: 'Test loss', percent: false, axis: 'epoch' },
  { id: 'epoch/train_accuracy', label: 'Train accuracy', percent: true, axis: 'epoch' },
  { id: 'epoch/train_loss', label: 'Train loss', percent: false, axis: 'epoch' },
  { id: 'epoch/sops_per_sample', label: 'SOPs per sample', percent: false, axis: 'epoch' },
  { id: 'train/loss', label: 'Train loss per step', percent: false, axis: 'step', smooth: true },
  { id: 'train/batch_accuracy', label: 'Batch accuracy per step', percent: true, axis: 'step', smooth: true },
  // A schedule, not a noisy measurement: smoothing would only blur its steps.
  { id: 'lr', label: 'Learning rate per step', percent: false, axis: 'step', smooth: false },
] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number]['id'];

const METRIC_NAMES: string[] = COMPARE_METRICS.map((m) => m.id);

export class CompareRuns {
  readonly runIds: readonly string[];
  readonly #client: ApiClient;
  #state = $state.raw<CompareState>({ kind: 'loading' });
  #version = $state(0);
  // Plain caches on purpose: the charts depend on `version`, bumped once per load.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #metrics = new Map<string, Map<string, MetricPoint[]>>();
  /** Each run's first record time (the zero of the time axis), found once per load. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #startMs = new Map<string, number | null>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #layers = new Map<string, string[]>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole on every load
  #distributions = $state.raw<ReadonlyMap<string, readonly DistributionEntry[]>>(new Map());
  #distributionKey = '';
  /** Every run's colour by creation order, so a run keeps it whatever it is compared with. */
  #colorOf = $state.raw<RunColorOf>(runColors([]));
  #loadSeq = 0;

  constructor(client: ApiClient, runIds: readonly string[]) {
    this.#client = client;
    this.runIds = runIds;
  }

  get state(): CompareState {
    return this.#state;
  }
  get version(): number {
    return this.#version;
  }
  get distributions(): ReadonlyMap<string, readonly DistributionEntry[]> {
    return this.#distributions;
  }
  get colorOf(): RunColorOf {
    return this.#colorOf;
  }

  /**
   * A run's metric by epoch (x = epoch number, 1-based) or, for a per-step metric, by step; on the
   * time axis by seconds since the run's first recorded point.
   */
  curve(runId: string, metric: CompareMetric, axis: CurveAxis = 'natural'): XYSeries {
    const points = this.#metrics.get(runId)?.get(metric) ?? [];
    const byStep = COMPARE_METRICS.find((m) => m.id === metric)?.axis === 'step';
    return pointsCurve(points, byStep, axis, this.#startMs.get(runId) ?? null);
  }

  /** GLIF layers every compared run has (distributions can only be overlaid for those). */
  commonLayers(): string[] {
    const lists = this.runIds.map((id) => this.#layers.get(id) ?? []);
    if (lists.length === 0) return [];
    const [first, ...rest] = lists;
    return naturalOrder((first ?? []).filter((layer) => rest.every((l) => l.includes(layer))));
  }

  async load(): Promise<void> {
    const seq = ++this.#loadSeq;
    if (this.#state.kind !== 'ready') this.#state = { kind: 'loading' };
    const [comparison, all] = await Promise.all([
      this.#client.request('runs.compare', { runIds: [...this.runIds] }),
      // The whole list, for creation order: newest first, ties (one grid) newest first too.
      this.#client.request('runs.list', {}),
    ]);
    if (seq !== this.#loadSeq) return;
    if (all.ok) this.#colorOf = runColors(all.data.map((run) => run.id).reverse());
    if (!comparison.ok) {
      this.#state = { kind: 'failed', error: comparison.error };
      return;
    }
    await Promise.all(this.runIds.map((id) => this.#loadRun(id)));
    if (seq !== this.#loadSeq) return;
    this.#state = { kind: 'ready', comparison: comparison.data };
    this.#version++;
  }

  async #loadRun(runId: string): Promise<void> {
    const [metrics, details] = await Promise.all([
      this.#client.request('runs.metrics', { runId, names: METRIC_NAMES, maxPoints: 5000 }),
      this.#client.request('runs.get', { runId }),
    ]);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, never mutated after
    const byName = new Map<string, MetricPoint[]>();
    if (metrics.ok) for (const s of metrics.data) byName.set(s.name, s.points);
    this.#metrics.set(runId, byName);
    this.#startMs.set(runId, firstRecorded(byName.values()));
    if (details.ok) {
      this.#layers.set(
        runId,
        details.data.metricNames
          .filter((n) => n.startsWith('firing_rate/'))
          .map((n) => n.slice('firing_rate/'.length)),
      );
    }
  }

  /** Loads one layer's distributions of `quantity` for every run (all epochs). */
  async loadDistributions(layer: string, quantity: DistributionQuantity): Promise<void> {
    const key = `${layer}\u0000${quantity}`;
    this.#distributionKey = key;
    const results = await Promise.all(
      this.runIds.map((runId) => this.#client.request('runs.distributions', { runId, layer, quantity })),
    );
    if (this.#distributionKey !== key) return;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- assigned to $state.raw whole
    const map = new Map<string, DistributionEntry[]>();
    results.forEach((r, i) => map.set(this.runIds[i]!, r.ok ? r.data : []));
    this.#distributions = map;
  }

  /** Follows the compared runs that still train; returns the stop function. */
  follow(): () => void {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const stop = this.#client.onEvent((event) => {
      if (event.type !== 'run.epoch' && event.type !== 'run.status') return;
      if (!this.runIds.includes(event.payload.runId)) return;
      // Epochs of several runs can end together: one reload for all of them.
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void this.load(), 300);
    });
    void this.load();
    return () => {
      stop();
      if (timer) clearTimeout(timer);
    };
  }
}
