/**
 * The columns of Compare's parallel-coordinates chart, read from a comparison: one per config key
 * whose values differ between the runs, and the chosen final metric as the last. Pure, for unit
 * tests; the geometry of the chart is in charts/parallel-coords.ts.
 */
import type { JsonValue, RunComparison } from '../api/contract';
import type { AxisColumn } from '../charts/parallel-coords';
import { formatDuration, formatPercent, formatStat, formatCount } from '../components/format';

type Finals = RunComparison['finals'][number];

/** The final metrics a chart can set the hyperparameters against; test accuracy first (the default). */
export const PARALLEL_METRICS = [
  { id: 'finalTestAccuracy', label: 'final test accuracy', percent: true },
  { id: 'finalTestLoss', label: 'final test loss', percent: false },
  { id: 'finalTrainAccuracy', label: 'final train accuracy', percent: true },
  { id: 'finalTrainLoss', label: 'final train loss', percent: false },
  { id: 'energySops', label: 'SOPs per sample', percent: false },
  { id: 'energyMacs', label: 'MACs per sample', percent: false },
  { id: 'energyMicrojoules', label: 'energy per sample (µJ)', percent: false },
  { id: 'durationMs', label: 'training time (s)', percent: false },
] as const;
export type ParallelMetric = (typeof PARALLEL_METRICS)[number]['id'];

/** A config value in words (the diff table's wording: variant names, the form's empty text). */
export type DescribeConfig = (path: string, value: JsonValue | undefined) => string;

/** A metric's value per run, in the comparison's order; null where a run has none yet. */
export function metricValues(comparison: RunComparison, metric: ParallelMetric): (number | null)[] {
  const byRun = new Map<string, Finals>(comparison.finals.map((f) => [f.runId, f]));
  return comparison.runs.map((run) => {
    const value = byRun.get(run.id)?.[metric] ?? null;
    if (value === null || !Number.isFinite(value)) return null;
    // Seconds read better on an axis than milliseconds.
    return metric === 'durationMs' ? value / 1000 : value;
  });
}

function metricText(metric: ParallelMetric, value: number): string {
  switch (metric) {
    case 'finalTestAccuracy':
    case 'finalTrainAccuracy':
      return formatPercent(value, 2);
    case 'energySops':
    case 'energyMacs':
      return formatCount(value);
    case 'durationMs':
      return formatDuration(value * 1000);
    default:
      return formatStat(value);
  }
}

export function metricColumn(comparison: RunComparison, metric: ParallelMetric): AxisColumn {
  const info = PARALLEL_METRICS.find((m) => m.id === metric) ?? PARALLEL_METRICS[0];
  return {
    key: `metric:${metric}`,
    label: info.label,
    percent: info.percent,
    values: metricValues(comparison, metric).map((v) => v ?? undefined),
    describe: (value) => (typeof value === 'number' ? metricText(metric, value) : 'no value yet'),
  };
}

/** One column per differing config key, in the comparison's order. */
export function configColumns(comparison: RunComparison, describe: DescribeConfig): AxisColumn[] {
  return comparison.configDiff.map((entry) => ({
    key: entry.path,
    label: entry.path,
    values: comparison.runs.map((run) => entry.values[run.id]),
    describe: (value) => describe(entry.path, value),
    // On the axis a variant is its id ("simplex-101"): its name is in the tooltip and the table.
    short: (value) =>
      typeof value === 'string' || typeof value === 'boolean' ? String(value) : describe(entry.path, value),
  }));
}

/**
 * The chart in one sentence, its accessible name: what is set against what, and how many runs the
 * brushes keep (`within`; null when nothing is brushed).
 */
export function parallelSummary(
  runs: number,
  axisLabels: readonly string[],
  metricLabel: string,
  within: number | null,
): string {
  const plural = axisLabels.length === 1 ? '' : 's';
  const what = `Parallel coordinates of ${runs} runs over ${axisLabels.length} hyperparameter${plural} (${axisLabels.join(', ')}) against ${metricLabel}.`;
  return within === null ? what : `${what} ${within} of ${runs} runs lie within the brushed ranges.`;
}
