/**
 * Rows and inputs of the run store. These types cross the process boundary (IPC, WebSocket,
 * exports), so they are plain JSON-friendly data: epochs in ms, `null` for "not known".
 */

import { RUN_STATUSES, TERMINAL_RUN_STATUSES } from '../../contract/run-status';
import type { RunStatus, TerminalRunStatus } from '../../contract/run-status';
import { DISTRIBUTION_QUANTITIES } from '../../contract/distributions';
import type { DistributionQuantity } from '../../contract/distributions';

export { RUN_STATUSES, TERMINAL_RUN_STATUSES };
export type { RunStatus, TerminalRunStatus };

export { DISTRIBUTION_QUANTITIES };
export type { DistributionQuantity };

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * The main hyperparameters, copied out of the config into their own indexed columns so that
 * runs can be filtered and sorted without parsing JSON. The config module decides how to
 * extract them; the store keeps the full config as JSON next to them.
 */
export interface RunConfigColumns {
  dataset: string;
  model: string;
  /** GLIF variant name or bit code (e.g. "glif", "layerwise", "101"); null when not applicable. */
  variant: string | null;
  /** True for layer-wise GLIF parameters, false for channel-wise; null when not applicable. */
  layerwise: boolean | null;
  timeSteps: number | null;
  epochs: number | null;
  batchSize: number | null;
  lr: number | null;
  seed: number | null;
}

/**
 * Results recorded when a run ends. The energy estimate of the last test pass, per sample
 * (engine/train/energy.ts): synaptic operations, multiply-accumulates, and the energy both cost
 * at the 45 nm figures. Runs from before MACs were counted have null MACs and energy (and their
 * SOPs still count the real-valued layers).
 */
export interface RunFinals {
  finalTestAccuracy: number | null;
  finalTestLoss: number | null;
  finalTrainAccuracy: number | null;
  finalTrainLoss: number | null;
  energySops: number | null;
  energyMacs: number | null;
  energyMicrojoules: number | null;
}

/**
 * How far training got, read from the run's stored per-epoch metrics: where the Runs list starts
 * for a run that is training (live events then move it on), whenever the page was opened.
 */
export interface RunStoredProgress {
  /** Epochs finished (their test metrics stored); never more than `columns.epochs`. */
  epochsDone: number;
  /** Test accuracy after the latest finished epoch; null before the first one (or not finite). */
  latestTestAccuracy: number | null;
  /**
   * The best test accuracy over the finished epochs, as the authors' code reports a run (the
   * paper's tables are best epochs), and the epoch (1-based) that reached it first; null before
   * the first epoch.
   */
  bestTestAccuracy: number | null;
  bestEpoch: number | null;
}

/** A WebGPU adapter as stored with a run (engine/webgpu/adapters.ts reports it). */
export interface RunAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU emulating a GPU (Mesa's llvmpipe, SwiftShader): figures from it are not GPU figures. */
  software: boolean;
}

/** One run without its config: what lists and comparisons need. */
export interface RunSummary {
  id: string;
  name: string;
  status: RunStatus;
  preset: string | null;
  backend: string | null;
  /** Threads the run trained on (data-parallel replicas on wasm/cpu); null until it started. */
  threads: number | null;
  /** GLIF neuron implementation the run trained with (`fused` or `ops`); null until it started. */
  neuronImpl: string | null;
  /** The GPU a webgpu run computed on, as its adapter described itself; null on other backends. */
  adapter: RunAdapter | null;
  /**
   * The TF.js backend the run asked for (a BackendName when this version stored it); null: its
   * host's choice. `backend` says what it ran on.
   */
  requestedBackend: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Training time, excluding time spent queued or paused. */
  durationMs: number | null;
  error: string | null;
  pid: number | null;
  parentRunId: string | null;
  notes: string;
  tags: string[];
  columns: RunConfigColumns;
  finals: RunFinals;
  progress: RunStoredProgress;
}

export interface RunRecord extends RunSummary {
  /** The full config as given to `createRun`, parsed back from JSON. */
  config: JsonValue;
}

/**
 * A run's config as dotted paths to leaf values (`train.lr` -> 0.1), flattened as the config diff
 * does: objects are walked into, a list of numbers (`model.mlpHidden`) stays one value.
 */
export interface RunFlatConfig {
  runId: string;
  values: Record<string, JsonValue>;
}

export interface NewRunInput {
  /** Shown in lists; defaults to "<model> on <dataset>". */
  name?: string;
  preset?: string | null;
  /** The full training config; must be JSON-serialisable. */
  config: unknown;
  columns: RunConfigColumns;
  /** The run this one was made from (a failed run edited and rerun), if any. */
  parentRunId?: string | null;
  /** The backend the run asks for (checked by the caller); absent or null: its host's choice. */
  requestedBackend?: string | null;
  tags?: readonly string[];
  notes?: string;
}

export interface RunStartInput {
  pid: number;
  backend: string;
}

export interface RunOutcome {
  status: TerminalRunStatus;
  finals?: Partial<RunFinals>;
  error?: string | null;
  /** Training time measured by the caller (without pauses); defaults to finishedAt - startedAt. */
  durationMs?: number | null;
}

export interface MetricPointInput {
  runId: string;
  step: number;
  epoch: number;
  name: string;
  /** NaN is allowed (a diverged loss); it is stored as NULL and read back as NaN. */
  value: number;
  /** When the point was recorded, ms since the Unix epoch; exports give it as the row's wall time. */
  recordedAt?: number;
}

export interface MetricPoint {
  step: number;
  epoch: number;
  value: number;
  /**
   * When the point was recorded, ms since the Unix epoch (charts over wall time); null for points
   * stored before the store kept it, absent on live points.
   */
  recordedAt?: number | null;
}

/** One stored metric point with its series name and record time, as exports read them. */
export interface RecordedMetricPoint extends MetricPoint {
  name: string;
  /** ms since the Unix epoch; null for points stored before record times were kept. */
  recordedAt: number | null;
}

export interface MetricSeries {
  name: string;
  points: MetricPoint[];
  /** Number of stored points in the requested range, before downsampling. */
  totalPoints: number;
  downsampled: boolean;
}

export type DownsampleMethod = 'lttb' | 'stride';

export interface MetricQueryOptions {
  /** Upper bound on points per series; series longer than this are downsampled. */
  maxPoints?: number;
  method?: DownsampleMethod;
  fromStep?: number;
  toStep?: number;
}

export interface DistributionStats {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  p05: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
}

/** Equal-width histogram: `counts[i]` covers [lo + i*w, lo + (i+1)*w) with w = (hi - lo) / counts.length. */
export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
}

export interface DistributionRecord {
  runId: string;
  epoch: number;
  layer: string;
  quantity: DistributionQuantity;
  stats: DistributionStats;
  histogram: Histogram;
}

export interface DistributionFilter {
  layer?: string;
  quantity?: DistributionQuantity;
  epoch?: number;
}

export interface CheckpointInput {
  runId: string;
  epoch: number;
  step: number;
  path: string;
  sha256: string;
  bytes: number;
}

export interface CheckpointRecord extends CheckpointInput {
  createdAt: number;
}

export const RUN_SORT_KEYS = [
  'createdAt',
  'startedAt',
  'finishedAt',
  'name',
  'status',
  'durationMs',
  'dataset',
  'model',
  'lr',
  'finalTestAccuracy',
  'finalTestLoss',
  'energySops',
  'energyMacs',
  'energyMicrojoules',
] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];

export interface RunFilter {
  status?: RunStatus | readonly RunStatus[];
  dataset?: string;
  model?: string;
  variant?: string;
  preset?: string;
  backend?: string;
  layerwise?: boolean;
  /** Runs carrying every one of these tags. */
  tags?: readonly string[];
  parentRunId?: string;
  createdAfter?: number;
  createdBefore?: number;
  /** Case-insensitive substring of id, name, notes, dataset, model, variant, preset or a tag. */
  search?: string;
}

export interface RunListQuery extends RunFilter {
  /** Default: newest first. A sort without a direction is ascending; NULLs always go last. */
  sort?: { by: RunSortKey; direction?: 'asc' | 'desc' };
  limit?: number;
  offset?: number;
}

export interface TagCount {
  tag: string;
  runs: number;
}

export interface ConfigDiffEntry {
  /** Dotted path into the config, e.g. "optimizer.lr" or "layers.2.channels". */
  path: string;
  /** Value per run id; a run whose config lacks the path has no entry. */
  values: Record<string, JsonValue>;
}

export interface RunComparison {
  /** The compared runs, in the order asked for. */
  runs: RunSummary[];
  /** Only the config paths whose values differ between the runs. */
  configDiff: ConfigDiffEntry[];
  /**
   * Final metrics side by side, in the same order as `runs`, with each run's best test accuracy
   * and its 1-based epoch (`progress`): the paper reports the best epoch, a run ends on the last.
   */
  finals: Array<ComparedFinals>;
  /** Runs that differ only in their seed, grouped (groups of two or more). */
  seedGroups: SeedGroup[];
}

/** One run's row of a comparison: its finals, training time and best test accuracy. */
export type ComparedFinals = { runId: string; durationMs: number | null } & RunFinals &
  Pick<RunStoredProgress, 'bestTestAccuracy' | 'bestEpoch'>;

export interface SeedGroup {
  runIds: string[];
  /** Each run's seed value(s), in the order of `runIds`. */
  seeds: JsonValue[];
}

export interface DeletedRun {
  runId: string;
  /** Checkpoint files the run referenced; remove them with removeRunCheckpoints (never blindly: rows name any path). */
  checkpointPaths: string[];
}

export interface RunStoreReader {
  listRuns(query?: RunListQuery): RunSummary[];
  countRuns(filter?: RunFilter): number;
  getRun(runId: string): RunRecord | null;
  /** The flattened configs of the runs that exist among `runIds`, in the order asked for. */
  getFlatConfigs(runIds: readonly string[]): RunFlatConfig[];
  getMetrics(runId: string, names?: readonly string[], options?: MetricQueryOptions): MetricSeries[];
  getMetricNames(runId: string): string[];
  /** Every stored point of a run, never downsampled, by series name then step. */
  getRecordedMetrics(runId: string): RecordedMetricPoint[];
  getDistributions(runId: string, filter?: DistributionFilter): DistributionRecord[];
  getCheckpoints(runId: string): CheckpointRecord[];
  getLatestCheckpoint(runId: string): CheckpointRecord | null;
  getTags(runId: string): string[];
  listTags(): TagCount[];
  compareRuns(runIds: readonly string[]): RunComparison;
  close(): void;
}

export interface RunStoreWriter {
  /** Runs a write that the caller retries on SQLITE_BUSY with a short busy_timeout (the event loop stays free). */
  withShortBusyTimeout<T>(write: () => T): T;
  createRun(input: NewRunInput): RunRecord;
  markRunning(runId: string, start: RunStartInput): RunRecord;
  setBackend(runId: string, backend: string, adapter?: RunAdapter | null): void;
  setThreads(runId: string, threads: number): void;
  setNeuronImpl(runId: string, impl: string): void;
  /** Continues an interrupted/cancelled/failed run after epoch `fromEpoch`, dropping what it recorded later. */
  resumeRun(runId: string, start: RunStartInput & { fromEpoch: number }): RunRecord;
  /** Queued and written in batches; see MetricWriteBuffer. */
  appendMetrics(points: readonly MetricPointInput[]): void;
  /** Queued like metrics; a record for an existing (run, epoch, layer, quantity) replaces it. */
  putDistributions(records: readonly DistributionRecord[]): void;
  /** Writes everything queued now, in one transaction. */
  flush(): void;
  /** Writes everything queued and the checkpoint row in one transaction. */
  addCheckpoint(input: CheckpointInput): CheckpointRecord;
  finishRun(runId: string, outcome: RunOutcome): RunRecord;
  rename(runId: string, name: string): void;
  setNotes(runId: string, notes: string): void;
  setTags(runId: string, tags: readonly string[]): string[];
  updateRun(runId: string, patch: { name?: string; notes?: string; tags?: readonly string[] }): void;
  deleteRun(runId: string): DeletedRun;
  /** Marks runs left `running` by a process that no longer exists as `interrupted`; returns their ids. */
  markStaleRunningAsInterrupted(isAlive: (pid: number) => boolean): string[];
  close(): void;
}
