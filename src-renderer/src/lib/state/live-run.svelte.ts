/**
 * One run as the Live run view shows it: its record, its metric series and distributions loaded
 * from the store, then kept current by the events it pushes while it trains. Series live in plain
 * arrays (thousands of points, appended per step); a version counter tells the charts to redraw.
 */
import type { ApiClient } from '../api/client';
import type {
  AppEvent,
  ContractError,
  EventMap,
  MetricName,
  MetricPointWire,
  PreparingProgress,
  RunAdapter,
  RunRecord,
} from '../api/contract';
import { DistributionIndex, type DistributionEntry } from '../charts/distributions';
import type { XYSeries } from '../charts/series';
import { axisCurve, firstRecorded, type SeriesCadence, type XAxisContext } from '../charts/x-axis';
import { followHost } from './follow-host';
import { contractErrorOf } from './load-state';
import { runActions, type RunActions } from './run-actions';

export interface LivePoint {
  readonly step: number;
  readonly epoch: number;
  readonly value: number;
  /** ms since the Unix epoch; null for points stored before record times were kept. */
  readonly recordedAt: number | null;
}

/** What the header shows while the run trains; from the last step event. */
export interface LiveProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  readonly samplesPerSecond: number | null;
  readonly etaSeconds: number | null;
  readonly lr: number | null;
}

export type LiveRunState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly run: RunRecord }
  | { readonly kind: 'failed'; readonly error: ContractError };

/** Stored series are fetched up to this many points each; longer ones come downsampled. */
const MAX_LOADED_POINTS = 4000;

/** The backend a live run reported, with what would make it faster and the GPU it is on. */
export interface LiveBackend {
  readonly active: string;
  readonly fixHints: readonly string[];
  readonly adapter: RunAdapter | null;
}

export class LiveRun {
  readonly runId: string;
  readonly #client: ApiClient;
  #state = $state.raw<LiveRunState>({ kind: 'loading' });
  /** Checkpoints the store holds for the run: whether Resume has something to go on from. */
  #checkpoints = $state(0);
  #progress = $state.raw<LiveProgress | null>(null);
  #backend = $state.raw<LiveBackend | null>(null);
  #layers = $state.raw<readonly string[]>([]);
  /** Training threads the started event reported (data-parallel replicas). */
  #threads = $state.raw<number | null>(null);
  /** The GLIF neuron implementation the started event reported (`fused` or `ops`). */
  #neuronImpl = $state.raw<string | null>(null);
  /** The dataset's preparation while the run has not started training (decoding, converting). */
  #preparing = $state.raw<PreparingProgress | null>(null);
  /** What the run warned of while this page watched (an epoch of days), oldest first. */
  #warnings = $state.raw<readonly string[]>([]);
  #action = $state.raw<{ busy: boolean; error: ContractError | null }>({ busy: false, error: null });
  /** Bumped on every change of the series or distributions: what the charts depend on. */
  #version = $state(0);
  /** Bumped only when epoch data (firing rates, distributions, test metrics) changes. */
  #epochVersion = $state(0);
  // Plain on purpose: appended per step; the charts depend on `version` instead.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #series = new Map<string, LivePoint[]>();
  readonly #distributions = new DistributionIndex();
  /** The earliest record time of any point, kept as points arrive: where a time axis may start. */
  #firstRecordedAt: number | null = null;
  /** Points without a record time (stored before migration 006): left out of the time axes. */
  #untimedPoints = 0;
  /** Events that arrived while the stored data was loading, replayed on top of it. */
  #buffered: AppEvent[] | null = [];
  #loadSeq = 0;

  constructor(client: ApiClient, runId: string) {
    this.#client = client;
    this.runId = runId;
  }

  get state(): LiveRunState {
    return this.#state;
  }
  get run(): RunRecord | null {
    return this.#state.kind === 'ready' ? this.#state.run : null;
  }
  get progress(): LiveProgress | null {
    return this.#progress;
  }
  get backend(): LiveBackend | null {
    return this.#backend;
  }
  get threads(): number | null {
    return this.#threads;
  }

  get neuronImpl(): string | null {
    return this.#neuronImpl;
  }

  get preparing(): PreparingProgress | null {
    return this.#preparing;
  }

  get warnings(): readonly string[] {
    return this.#warnings;
  }
  get action(): { busy: boolean; error: ContractError | null } {
    return this.#action;
  }
  get version(): number {
    return this.#version;
  }
  get epochVersion(): number {
    return this.#epochVersion;
  }
  get distributions(): DistributionIndex {
    return this.#distributions;
  }
  get layers(): readonly string[] {
    return this.#layers;
  }

  /** A metric on the chosen x axis (per-step or per-epoch series alike). */
  curve(name: MetricName, cadence: SeriesCadence, ctx: XAxisContext): XYSeries {
    return axisCurve(this.#series.get(name) ?? [], cadence, ctx);
  }

  get firstRecordedAt(): number | null {
    return this.#firstRecordedAt;
  }
  get untimedPoints(): number {
    return this.#untimedPoints;
  }

  points(name: MetricName): readonly LivePoint[] {
    return this.#series.get(name) ?? [];
  }

  /** The firing-rate series recorded so far, one per GLIF layer: `firing_rate/<layer>`. */
  firingRateNames(): `firing_rate/${string}`[] {
    return [...this.#series.keys()].filter((n): n is `firing_rate/${string}` => n.startsWith('firing_rate/'));
  }

  last(name: MetricName): LivePoint | null {
    const points = this.#series.get(name);
    return points && points.length > 0 ? points[points.length - 1]! : null;
  }

  /** Share of the run done while it trains, 0..1, counting the current epoch's steps; else null. */
  get fractionDone(): number | null {
    const p = this.#progress;
    if (!p || p.epochs <= 0) return null;
    const withinEpoch = p.stepsPerEpoch > 0 ? p.stepInEpoch / p.stepsPerEpoch : 0;
    return Math.min(1, (p.epoch + withinEpoch) / p.epochs);
  }

  /** What the run page offers for the run now (Cancel, Resume, Edit and rerun). */
  get actions(): RunActions | null {
    const run = this.run;
    return run ? runActions(run.status, this.#checkpoints) : null;
  }

  get isActive(): boolean {
    const status = this.run?.status;
    return status === 'running' || status === 'queued';
  }

  async load(): Promise<void> {
    const seq = ++this.#loadSeq;
    this.#buffered ??= [];
    const [details, metrics, distributions] = await Promise.all([
      this.#client.request('runs.get', { runId: this.runId }),
      this.#client.request('runs.metrics', { runId: this.runId, maxPoints: MAX_LOADED_POINTS }),
      this.#client.request('runs.distributions', { runId: this.runId }),
    ]);
    if (seq !== this.#loadSeq) return;
    if (!details.ok) {
      this.#state = { kind: 'failed', error: details.error };
      return;
    }
    this.#series.clear();
    if (metrics.ok)
      for (const s of metrics.data)
        this.#series.set(
          s.name,
          s.points.map((p) => ({
            step: p.step,
            epoch: p.epoch,
            value: p.value,
            recordedAt: p.recordedAt ?? null,
          })),
        );
    this.#firstRecordedAt = firstRecorded(this.#series.values());
    this.#untimedPoints = 0;
    for (const points of this.#series.values())
      for (const p of points) if (p.recordedAt === null) this.#untimedPoints++;
    if (distributions.ok) this.#distributions.add(distributions.data);
    this.#state = { kind: 'ready', run: details.data.run };
    this.#checkpoints = details.data.checkpoints.length;
    const buffered = this.#buffered ?? [];
    this.#buffered = null;
    for (const event of buffered) this.#apply(event);
    this.#version++;
    this.#epochVersion++;
  }

  /** Loads, then follows this run's events; reloads after a lost connection. Returns the stop function. */
  follow(): () => void {
    return followHost(
      this.#client,
      () => this.load(),
      (event) => {
        if (!('runId' in event.payload) || event.payload.runId !== this.runId) return;
        if (this.#buffered) this.#buffered.push(event);
        else this.#apply(event);
      },
    );
  }

  async cancel(): Promise<void> {
    await this.#act(() => this.#client.call('runs.cancel', { runId: this.runId }));
  }

  async resume(): Promise<void> {
    await this.#act(async () => {
      const run = await this.#client.call('runs.resume', { runId: this.runId });
      this.#setRun(run);
    });
  }

  async #act(action: () => Promise<unknown>): Promise<void> {
    this.#action = { busy: true, error: null };
    try {
      await action();
      this.#action = { busy: false, error: null };
    } catch (error) {
      this.#action = { busy: false, error: contractErrorOf(error) };
    }
  }

  #setRun(run: RunRecord): void {
    this.#state = { kind: 'ready', run };
  }

  async #refreshRecord(): Promise<void> {
    const result = await this.#client.request('runs.get', { runId: this.runId });
    if (!result.ok) return;
    this.#setRun(result.data.run);
    this.#checkpoints = result.data.checkpoints.length;
  }

  /** The points the main side mapped from this event (runs/metric-points.ts), as it stored them. */
  #pushAll(points: readonly MetricPointWire[]): void {
    for (const { name, step, epoch, value, recordedAt } of points) {
      this.#push(name, { step, epoch, value, recordedAt });
      if (this.#firstRecordedAt === null || recordedAt < this.#firstRecordedAt)
        this.#firstRecordedAt = recordedAt;
    }
  }

  #push(name: MetricName, point: LivePoint): void {
    let points = this.#series.get(name);
    if (!points) this.#series.set(name, (points = []));
    // A resumed run repeats the steps after its last checkpoint: the new values replace the old.
    while (points.length > 0 && points[points.length - 1]!.step >= point.step) points.pop();
    points.push(point);
  }

  #apply(event: AppEvent): void {
    switch (event.type) {
      case 'run.status': {
        const run = this.run;
        if (run) this.#setRun({ ...run, status: event.payload.status, error: event.payload.error });
        if (event.payload.status !== 'running' && event.payload.status !== 'queued') this.#progress = null;
        void this.#refreshRecord();
        return;
      }
      case 'run.backend':
        this.#backend = {
          active: event.payload.active,
          fixHints: event.payload.fixHints,
          adapter: event.payload.adapter ?? null,
        };
        return;
      case 'run.started':
        this.#onStarted(event.payload);
        return;
      case 'run.step':
        this.#onStep(event.payload);
        return;
      case 'run.epoch':
        this.#onEpoch(event.payload);
        return;
      case 'run.log':
        if (event.payload.preparing) this.#preparing = event.payload.preparing;
        if (event.payload.level === 'warn' && !this.#warnings.includes(event.payload.message))
          this.#warnings = [...this.#warnings, event.payload.message];
        return;
      case 'app.notice':
        return;
    }
  }

  #onStarted(e: EventMap['run.started']): void {
    this.#preparing = null;
    this.#layers = e.layers;
    this.#distributions.setOrder(e.layers);
    this.#backend = {
      active: e.backend,
      fixHints: this.#backend?.fixHints ?? [],
      adapter: this.#backend?.adapter ?? null,
    };
    this.#threads = e.threads;
    this.#neuronImpl = e.neuronImpl;
    this.#progress = {
      epoch: e.startEpoch,
      epochs: e.epochs,
      stepInEpoch: 0,
      stepsPerEpoch: e.stepsPerEpoch,
      samplesPerSecond: null,
      etaSeconds: null,
      lr: null,
    };
    const run = this.run;
    if (run && run.status !== 'running') this.#setRun({ ...run, status: 'running' });
  }

  #onStep(e: EventMap['run.step']): void {
    this.#pushAll(e.points);
    this.#progress = {
      epoch: e.epoch,
      epochs: this.#progress?.epochs ?? this.run?.columns.epochs ?? e.epoch + 1,
      stepInEpoch: e.stepInEpoch,
      stepsPerEpoch: e.stepsPerEpoch,
      samplesPerSecond: e.samplesPerSecond,
      etaSeconds: e.etaSeconds,
      lr: e.lr,
    };
    this.#version++;
  }

  #onEpoch(e: EventMap['run.epoch']): void {
    this.#pushAll(e.points);
    if (this.#layers.length === 0) {
      this.#layers = Object.keys(e.firingRates);
      this.#distributions.setOrder(this.#layers);
    }
    const entries: DistributionEntry[] = e.distributions.map((d) => ({ ...d, epoch: e.epoch }));
    this.#distributions.add(entries);
    this.#version++;
    this.#epochVersion++;
  }
}
