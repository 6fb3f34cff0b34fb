/**
 * CSV exports for analysis outside the workbench (pandas, R, a spreadsheet): tidy ("long") tables
 * with one header and one observation per row, so files of several runs concatenate and a pivot
 * gives any wide layout. Full series, never downsampled.
 *
 * Series table (one run, or the runs of a comparison), columns:
 *   run_id, run_name  the run the row belongs to
 *   kind              `metric` (a recorded series) or `distribution` (a statistic over channels)
 *   name              the metric's series name (`train/loss`, `epoch/test_accuracy`, ...) or the
 *                     distribution's quantity (`alpha`, `beta`, `gamma`, `v_th`, ...)
 *   layer             the layer of a distribution; empty for metrics
 *   statistic         count, mean, std, min, p05, p25, p50, p75, p95 or max for a distribution;
 *                     empty for metrics
 *   epoch             0-based, as stored (the views show epoch + 1)
 *   step              global training step (0-based); for a distribution, the step its epoch ended at
 *   time              when the row was recorded, ISO 8601 UTC; empty for rows recorded before
 *                     the store kept record times
 *   elapsed_s         seconds from the run's first start to `time` (wall time: pauses and the
 *                     time between a stop and a resume count)
 *   value             the number; `NaN`, `Infinity` and `-Infinity` as such
 * Internal series (INTERNAL_METRIC_NAMES) are left out.
 *
 * Runs table (the Runs list): one row per run, columns RUN_LIST_COLUMNS, then one `config.<path>`
 * column per config path any of the rows has (sorted; empty where a run lacks the path).
 */
import { INTERNAL_METRIC_NAMES } from '../../contract/metrics';
import { describeAdapter } from '../../engine/webgpu/adapters';
import { flattenConfig } from './config-diff';
import { RunStoreError } from './errors';
import type {
  DistributionRecord,
  DistributionStats,
  JsonValue,
  RunRecord,
  RunStoreReader,
  RunSummary,
} from './types';

export const SERIES_CSV_COLUMNS = [
  'run_id',
  'run_name',
  'kind',
  'name',
  'layer',
  'statistic',
  'epoch',
  'step',
  'time',
  'elapsed_s',
  'value',
] as const;

/** The distribution statistics a row can hold, in the order they are written (low to high). */
const DISTRIBUTION_STATISTICS = [
  'count',
  'mean',
  'std',
  'min',
  'p05',
  'p25',
  'p50',
  'p75',
  'p95',
  'max',
] as const satisfies ReadonlyArray<keyof DistributionStats>;

/** RFC 4180 quoting, only where needed. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(fields: ReadonlyArray<string | number | null>): string {
  return fields.map((f) => (f === null ? '' : typeof f === 'number' ? String(f) : csvField(f))).join(',');
}

function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function elapsedSeconds(ms: number | null, startedAt: number | null): number | null {
  if (ms === null || startedAt === null) return null;
  return Math.round(ms - startedAt) / 1000;
}

function requireRun(reader: RunStoreReader, runId: string): RunRecord {
  const run = reader.getRun(runId);
  if (run === null) throw new RunStoreError('not_found', `no run with id ${runId}`);
  return run;
}

/** The rows of one run, without the header: its metrics by series and step, then its distributions. */
function runSeriesLines(reader: RunStoreReader, run: RunSummary): string[] {
  const lines: string[] = [];
  const prefix = [run.id, run.name];
  // A distribution is recorded with its epoch's end-of-epoch metrics: it takes their step and time.
  const epochEnds = new Map<number, { step: number; recordedAt: number | null }>();
  for (const p of reader.getRecordedMetrics(run.id)) {
    if (INTERNAL_METRIC_NAMES.has(p.name)) continue;
    if (p.name.startsWith('epoch/') && !epochEnds.has(p.epoch))
      epochEnds.set(p.epoch, { step: p.step, recordedAt: p.recordedAt });
    lines.push(
      csvLine([
        ...prefix,
        'metric',
        p.name,
        null,
        null,
        p.epoch,
        p.step,
        isoTime(p.recordedAt),
        elapsedSeconds(p.recordedAt, run.startedAt),
        p.value,
      ]),
    );
  }
  const distributions: DistributionRecord[] = reader.getDistributions(run.id);
  for (const d of distributions) {
    const end = epochEnds.get(d.epoch);
    const at = end?.recordedAt ?? null;
    for (const statistic of DISTRIBUTION_STATISTICS) {
      lines.push(
        csvLine([
          ...prefix,
          'distribution',
          d.quantity,
          d.layer,
          statistic,
          d.epoch,
          end?.step ?? null,
          isoTime(at),
          elapsedSeconds(at, run.startedAt),
          d.stats[statistic],
        ]),
      );
    }
  }
  return lines;
}

/** The series table of the given runs, in the order given (see the module comment for columns). */
export function runsSeriesCsv(reader: RunStoreReader, runIds: readonly string[]): string {
  const runs = runIds.map((id) => requireRun(reader, id));
  const lines = [SERIES_CSV_COLUMNS.join(',')];
  for (const run of runs) lines.push(...runSeriesLines(reader, run));
  return `${lines.join('\n')}\n`;
}

/** Columns of the runs table: what identifies a run, its key hyperparameters and its results. */
export const RUN_LIST_COLUMNS: ReadonlyArray<readonly [string, (r: RunSummary) => string | number | null]> = [
  ['id', (r) => r.id],
  ['name', (r) => r.name],
  ['status', (r) => r.status],
  ['preset', (r) => r.preset],
  ['dataset', (r) => r.columns.dataset],
  ['model', (r) => r.columns.model],
  ['variant', (r) => r.columns.variant],
  ['layerwise', (r) => (r.columns.layerwise === null ? null : String(r.columns.layerwise))],
  ['time_steps', (r) => r.columns.timeSteps],
  ['epochs', (r) => r.columns.epochs],
  ['batch_size', (r) => r.columns.batchSize],
  ['lr', (r) => r.columns.lr],
  ['seed', (r) => r.columns.seed],
  ['backend', (r) => r.backend],
  // Beside what it ran on: a run that asked for cpu reads apart from one that fell back to it.
  ['requested_backend', (r) => r.requestedBackend],
  ['threads', (r) => r.threads],
  ['neuron_impl', (r) => r.neuronImpl],
  ['adapter', (r) => (r.adapter ? describeAdapter(r.adapter) : null)],
  ['epochs_done', (r) => r.progress.epochsDone],
  ['final_test_accuracy', (r) => r.finals.finalTestAccuracy],
  ['best_test_accuracy', (r) => r.progress.bestTestAccuracy],
  ['best_epoch', (r) => r.progress.bestEpoch],
  ['final_test_loss', (r) => r.finals.finalTestLoss],
  ['final_train_accuracy', (r) => r.finals.finalTrainAccuracy],
  ['final_train_loss', (r) => r.finals.finalTrainLoss],
  ['energy_sops', (r) => r.finals.energySops],
  ['energy_macs', (r) => r.finals.energyMacs],
  ['energy_uj', (r) => r.finals.energyMicrojoules],
  ['duration_s', (r) => (r.durationMs === null ? null : r.durationMs / 1000)],
  ['created_at', (r) => isoTime(r.createdAt)],
  ['started_at', (r) => isoTime(r.startedAt)],
  ['finished_at', (r) => isoTime(r.finishedAt)],
  ['parent_run_id', (r) => r.parentRunId],
  // Tags hold no ';' in practice; a CSV cell cannot hold a list otherwise.
  ['tags', (r) => r.tags.join(';')],
];

/** A config value in one cell: a list (LR milestones, hidden sizes) as its JSON text. */
function configCell(value: JsonValue | undefined): string | number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/**
 * One row per run, in the order given, with every config path of the rows as a column: the file
 * is for analysis elsewhere, where any hyperparameter may be the one to pivot on, and the same
 * runs give the same file whatever columns the list happens to show.
 */
export function runListCsv(runs: readonly RunRecord[]): string {
  const configs = runs.map((run) => flattenConfig(run.config));
  const paths = [...new Set(configs.flatMap((config) => [...config.keys()]))].sort();
  const header = [...RUN_LIST_COLUMNS.map(([name]) => name), ...paths.map((path) => `config.${path}`)];
  const lines = [header.map(csvField).join(',')];
  runs.forEach((run, i) => {
    const config = configs[i]!;
    lines.push(
      csvLine([
        ...RUN_LIST_COLUMNS.map(([, cell]) => cell(run)),
        ...paths.map((path) => configCell(config.get(path))),
      ]),
    );
  });
  return `${lines.join('\n')}\n`;
}
