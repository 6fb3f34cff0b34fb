/**
 * Mapping between SQL rows (snake_case, integers for booleans, NULL for NaN) and the records of
 * types.ts. Kept in one place so that a new column is added to the schema, the row type and the
 * mapping together.
 */
import type {
  CheckpointRecord,
  DistributionQuantity,
  DistributionRecord,
  Histogram,
  JsonValue,
  RunAdapter,
  RunFinals,
  RunRecord,
  RunStatus,
  RunStoredProgress,
  RunSummary,
} from './types';
import type { EpochMetricName } from '../../contract/metrics';

export interface RunRow {
  id: string;
  name: string;
  status: RunStatus;
  preset: string | null;
  backend: string | null;
  threads: number | null;
  neuron_impl: string | null;
  adapter_json: string | null;
  requested_backend: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  duration_ms: number | null;
  error: string | null;
  pid: number | null;
  parent_run_id: string | null;
  notes: string;
  dataset: string;
  model: string;
  variant: string | null;
  layerwise: number | null;
  time_steps: number | null;
  epochs: number | null;
  batch_size: number | null;
  lr: number | null;
  seed: number | null;
  final_test_accuracy: number | null;
  final_test_loss: number | null;
  final_train_accuracy: number | null;
  final_train_loss: number | null;
  energy_sops: number | null;
  energy_macs: number | null;
  energy_uj: number | null;
  tags_json: string;
  epochs_done: number | null;
  latest_test_accuracy: number | null;
  best_test_accuracy: number | null;
  best_epoch: number | null;
}

export interface RunRowWithConfig extends RunRow {
  config_json: string;
}

/** The one series every finished epoch records (metric-points.ts): it counts the epochs done. */
const TEST_ACCURACY: EpochMetricName = 'epoch/test_accuracy';

/** Columns of a run summary; `r` is the alias of `runs` in every query that uses this. */
export const RUN_SUMMARY_COLUMNS = `
  r.id, r.name, r.status, r.preset, r.backend, r.threads, r.neuron_impl, r.adapter_json, r.requested_backend, r.created_at, r.started_at, r.finished_at,
  r.duration_ms, r.error, r.pid, r.parent_run_id, r.notes, r.dataset, r.model, r.variant,
  r.layerwise, r.time_steps, r.epochs, r.batch_size, r.lr, r.seed, r.final_test_accuracy,
  r.final_test_loss, r.final_train_accuracy, r.final_train_loss, r.energy_sops, r.energy_macs, r.energy_uj,
  (SELECT json_group_array(tag) FROM (SELECT tag FROM tags WHERE tags.run_id = r.id ORDER BY tag)) AS tags_json,
  (SELECT max(m.epoch) + 1 FROM metrics m
    WHERE m.run_id = r.id AND m.name = '${TEST_ACCURACY}') AS epochs_done,
  (SELECT m.value FROM metrics m WHERE m.run_id = r.id AND m.name = '${TEST_ACCURACY}'
    ORDER BY m.step DESC, m.id DESC LIMIT 1) AS latest_test_accuracy,
  (SELECT max(m.value) FROM metrics m WHERE m.run_id = r.id AND m.name = '${TEST_ACCURACY}') AS best_test_accuracy,
  (SELECT m.epoch + 1 FROM metrics m WHERE m.run_id = r.id AND m.name = '${TEST_ACCURACY}' AND m.value IS NOT NULL
    ORDER BY m.value DESC, m.epoch ASC LIMIT 1) AS best_epoch`;

/** A resumed run repeats epochs after its checkpoint; the count stays within the run's epochs. */
function progressFromRow(row: RunRow): RunStoredProgress {
  const done = row.epochs_done ?? 0;
  return {
    epochsDone: row.epochs === null ? done : Math.min(done, row.epochs),
    latestTestAccuracy: row.latest_test_accuracy,
    bestTestAccuracy: row.best_test_accuracy,
    bestEpoch: row.best_epoch,
  };
}

/** A stored adapter, or null where none was stored or the JSON is not one (never throws: a list must load). */
function adapterFromJson(json: string | null): RunAdapter | null {
  if (json === null) return null;
  try {
    const v = JSON.parse(json) as Partial<Record<keyof RunAdapter, unknown>>;
    const text = (x: unknown) => (typeof x === 'string' ? x : '');
    return {
      vendor: text(v.vendor),
      architecture: text(v.architecture),
      device: text(v.device),
      description: text(v.description),
      software: v.software === true,
    };
  } catch {
    return null;
  }
}

export function finalsFromRow(row: RunRow): RunFinals {
  return {
    finalTestAccuracy: row.final_test_accuracy,
    finalTestLoss: row.final_test_loss,
    finalTrainAccuracy: row.final_train_accuracy,
    finalTrainLoss: row.final_train_loss,
    energySops: row.energy_sops,
    energyMacs: row.energy_macs,
    energyMicrojoules: row.energy_uj,
  };
}

export function runSummaryFromRow(row: RunRow): RunSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    preset: row.preset,
    backend: row.backend,
    threads: row.threads,
    neuronImpl: row.neuron_impl,
    adapter: adapterFromJson(row.adapter_json),
    requestedBackend: row.requested_backend,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs: row.duration_ms,
    error: row.error,
    pid: row.pid,
    parentRunId: row.parent_run_id,
    notes: row.notes,
    tags: JSON.parse(row.tags_json) as string[],
    columns: {
      dataset: row.dataset,
      model: row.model,
      variant: row.variant,
      layerwise: row.layerwise === null ? null : row.layerwise === 1,
      timeSteps: row.time_steps,
      epochs: row.epochs,
      batchSize: row.batch_size,
      lr: row.lr,
      seed: row.seed,
    },
    finals: finalsFromRow(row),
    progress: progressFromRow(row),
  };
}

export function runRecordFromRow(row: RunRowWithConfig): RunRecord {
  return { ...runSummaryFromRow(row), config: JSON.parse(row.config_json) as JsonValue };
}

export interface DistributionRow {
  run_id: string;
  epoch: number;
  layer: string;
  quantity: string;
  count: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  p05: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p95: number | null;
  histogram_json: string;
}

/** SQLite stores NaN as NULL; statistics of an empty or diverged tensor come back as NaN. */
export function nullToNaN(value: number | null): number {
  return value === null ? Number.NaN : value;
}

export function distributionFromRow(row: DistributionRow): DistributionRecord {
  return {
    runId: row.run_id,
    epoch: row.epoch,
    layer: row.layer,
    quantity: row.quantity as DistributionQuantity,
    stats: {
      count: row.count,
      mean: nullToNaN(row.mean),
      std: nullToNaN(row.std),
      min: nullToNaN(row.min),
      max: nullToNaN(row.max),
      p05: nullToNaN(row.p05),
      p25: nullToNaN(row.p25),
      p50: nullToNaN(row.p50),
      p75: nullToNaN(row.p75),
      p95: nullToNaN(row.p95),
    },
    histogram: JSON.parse(row.histogram_json) as Histogram,
  };
}

export interface CheckpointRow {
  run_id: string;
  epoch: number;
  step: number;
  path: string;
  sha256: string;
  bytes: number;
  created_at: number;
}

export function checkpointFromRow(row: CheckpointRow): CheckpointRecord {
  return {
    runId: row.run_id,
    epoch: row.epoch,
    step: row.step,
    path: row.path,
    sha256: row.sha256,
    bytes: row.bytes,
    createdAt: row.created_at,
  };
}
