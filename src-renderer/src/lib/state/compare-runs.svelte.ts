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
import {
  axisCurve,
  epochSpans,
  firstRecorded,
  timeZero,
  type EpochSpans,
  type XAxisUnit,
} from '../charts/x-axis';

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
  { id: 'epoch/energy_uj_per_sample', label: 'Energy per sample, µJ', percent: false, axis: 'epoch' },
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
  /** Each run's time-axis zero and epoch spans, found once per load. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #axes = new Map<string, { zeroMs: number | null; spans: EpochSpans; untimed: boolean }>();
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
   * A run's metric on the chosen axis: by step, by epoch (1-based; per-step points within their
   * epoch), by seconds since the run started or by wall-clock time. Points without a record time
   * are left out of the time axes.
   */
  curve(runId: string, metric: CompareMetric, unit: XAxisUnit): XYSeries {
    const points = this.#metrics.get(runId)?.get(metric) ?? [];
    const cadence = COMPARE_METRICS.find((m) => m.id === metric)?.axis ?? 'epoch';
    const axis = this.#axes.get(runId) ?? { zeroMs: null, spans: epochSpans([], null) };
    return axisCurve(points, cadence, { unit, spans: axis.spans, zeroMs: axis.zeroMs });
  }

  /** Whether a run has points recorded before record times were kept (left out of time axes). */
  hasUntimedPoints(runId: string): boolean {
    return this.#axes.get(runId)?.untimed ?? false;
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
    this.#axes.set(runId, {
      zeroMs: timeZero(details.ok ? details.data.run.startedAt : null, firstRecorded(byName.values())),
      // Every finished epoch has a train loss: its points say where each epoch's steps end.
      spans: epochSpans(byName.get('epoch/train_loss') ?? [], null),
      untimed: [...byName.values()].some((points) => points.some((p) => p.recordedAt == null)),
    });
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
