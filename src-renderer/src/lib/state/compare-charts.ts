/**
 * What the Compare view draws, assembled from a comparison and the runs' recorded series: the
 * per-epoch or per-step curves (each run alone, or each seed group as its mean ± std band), every run's last
 * recorded distribution, the final metrics side by side and each seed group's mean ± std. Plain
 * functions of their inputs, so the aggregation is unit-tested under Node and the view only binds.
 */
import type { RunComparison, RunSummary, SeedGroup } from '../api/contract';
import { histogramCurve, type DistributionEntry } from '../charts/distributions';
import { frozenGate, frozenNote } from '../charts/frozen-quantities';
import {
  align,
  meanCurve,
  meanStd,
  smooth,
  thin,
  type AlignedColumns,
  type XYSeries,
} from '../charts/series';
import { translucent, type ChartBand, type ChartSeries } from '../charts/types';
import {
  formatCount,
  formatDuration,
  formatEnergy,
  formatHyper,
  formatPercent,
  formatStat,
  MISSING,
} from '../components/format';
import { runLabels } from './run-table';

/** Columns and their series (and bands) in the same order: what a LineChart takes. */
export interface ChartSpec {
  readonly columns: AlignedColumns;
  readonly series: ChartSeries[];
  readonly bands: ChartBand[];
}

export interface CurveChartInput {
  /** The compared runs, in the order they are listed. */
  readonly runs: readonly RunSummary[];
  readonly groups: readonly SeedGroup[];
  /** Draw each seed group as one mean curve with a ± std band instead of one curve per run. */
  readonly aggregateSeeds: boolean;
  /** A run's metric by epoch. */
  readonly curveOf: (runId: string) => XYSeries;
  readonly colorOf: (runId: string) => string;
  /**
   * Per-step curves: each run's raw line is drawn faint behind its exponential moving average of
   * this weight (TensorBoard's smoothing); 0 or absent draws the curves as recorded.
   */
  readonly smoothing?: number;
}

/** Per-step curves are thinned to this many points per run before smoothing (drawing stays cheap). */
export const MAX_STEP_POINTS = 2000;

/**
 * The curves of one metric. With `aggregateSeeds`, each seed group adds three series (upper edge,
 * lower edge, mean) and one band between the edges, in its first run's colour; runs in no group
 * follow, one curve each.
 */
export function curveChart(input: CurveChartInput): ChartSpec {
  const { runs, groups, aggregateSeeds, curveOf, colorOf } = input;
  const series: ChartSeries[] = [];
  const bands: ChartBand[] = [];
  const curves: XYSeries[] = [];
  const grouped = new Set(aggregateSeeds ? groups.flatMap((g) => g.runIds) : []);
  if (aggregateSeeds) {
    groups.forEach((group, gi) => {
      const m = meanCurve(group.runIds.map(curveOf));
      // A seed group has two runs or more: it takes its first run's colour and name.
      const firstId = group.runIds[0]!;
      const color = colorOf(firstId);
      const firstLabel = runLabels(runs).get(firstId);
      const base = series.length;
      curves.push({ x: m.x, y: m.upper }, { x: m.x, y: m.lower }, { x: m.x, y: m.mean });
      series.push(
        { label: `group ${gi + 1} +std`, color, bandEdge: true, spanGaps: true },
        { label: `group ${gi + 1} -std`, color, bandEdge: true, spanGaps: true },
        {
          label: `${firstLabel ?? 'group'} (mean of ${group.runIds.length} seeds)`,
          color,
          width: 2,
          points: true,
          spanGaps: true,
        },
      );
      bands.push({ upper: base, lower: base + 1, fill: translucent(color, 0.18) });
    });
  }
  const labels = runLabels(runs);
  const smoothing = input.smoothing ?? 0;
  for (const run of runs) {
    if (grouped.has(run.id)) continue;
    const label = labels.get(run.id) ?? run.name;
    const color = colorOf(run.id);
    if (smoothing > 0) {
      const raw = thin(curveOf(run.id), MAX_STEP_POINTS);
      curves.push(raw, { x: raw.x, y: smooth(raw.y, smoothing) });
      series.push(
        {
          label: `${label} (raw)`,
          color: translucent(color, 0.25),
          width: 1,
          spanGaps: true,
          unlisted: true,
        },
        { label, color, width: 2, spanGaps: true },
      );
      continue;
    }
    curves.push(curveOf(run.id));
    series.push({ label, color, width: 2, points: true, spanGaps: true });
  }
  return { columns: align(curves), series, bands };
}

/** A run's entry at its own last recorded epoch, or null when it has none. */
function lastEntry(entries: readonly DistributionEntry[]): DistributionEntry | null {
  return entries.reduce<DistributionEntry | null>((a, b) => (a === null || b.epoch > a.epoch ? b : a), null);
}

/**
 * Each run's distribution at its own last recorded epoch: the state it ended (or is) in. Runs
 * without one are left out, and so are runs whose variant freezes the quantity (their constant
 * would be a lone point): `frozenDistributionNotes` names those.
 */
export function lastDistributionChart(
  runs: readonly RunSummary[],
  distributions: ReadonlyMap<string, readonly DistributionEntry[]>,
  colorOf: (runId: string) => string,
): ChartSpec {
  const curves: XYSeries[] = [];
  const series: ChartSeries[] = [];
  const labels = runLabels(runs);
  for (const run of runs) {
    const last = lastEntry(distributions.get(run.id) ?? []);
    if (!last || frozenGate(run.columns.variant, last.quantity) !== null) continue;
    curves.push(histogramCurve(last.histogram));
    series.push({
      label: `${labels.get(run.id) ?? run.name} (epoch ${last.epoch + 1})`,
      color: colorOf(run.id),
      stepped: true,
      spanGaps: true,
      width: 2,
      fill: translucent(colorOf(run.id), 0.08),
    });
  }
  return { columns: align(curves), series, bands: [] };
}

/** "run name: α is fixed at 1 in this variant (…): not trained." for each run that freezes the quantity. */
export function frozenDistributionNotes(
  runs: readonly RunSummary[],
  distributions: ReadonlyMap<string, readonly DistributionEntry[]>,
): string[] {
  const notes: string[] = [];
  // Same-name runs are told apart as in the chart's legend.
  const labels = runLabels(runs);
  for (const run of runs) {
    const last = lastEntry(distributions.get(run.id) ?? []);
    const note = last && frozenNote(run.columns.variant, last.quantity, last.stats);
    if (note) notes.push(`${labels.get(run.id) ?? run.name}: ${note}`);
  }
  return notes;
}

export interface FinalRow {
  readonly label: string;
  /** One value per compared run, in the comparison's order. */
  readonly values: readonly (number | null)[];
  /** A value as its cell shows it; `index` is the run's column (a best row names its epoch). */
  readonly format: (v: number | null, index: number) => string;
  /** Which way is better, for marking the best run; null: neither. */
  readonly better: 'high' | 'low' | null;
}

/** "91.20 % (epoch 7)": a best test accuracy with the 1-based epoch that first reached it. */
export function formatBestAccuracy(accuracy: number | null, epoch: number | null): string {
  if (accuracy === null || !Number.isFinite(accuracy)) return MISSING;
  return `${formatPercent(accuracy, 2)} (epoch ${epoch ?? '?'})`;
}

/**
 * The final metrics table: one row per metric, one column per run. Test accuracy comes twice: the
 * last epoch's (what the run ends with) and the best epoch's (what the paper reports), with its epoch.
 */
export function finalRows(comparison: RunComparison): FinalRow[] {
  const f = comparison.finals;
  return [
    {
      label: 'Test accuracy',
      values: f.map((x) => x.finalTestAccuracy),
      format: (v) => formatPercent(v, 2),
      better: 'high',
    },
    {
      label: 'Best test accuracy',
      values: f.map((x) => x.bestTestAccuracy),
      format: (v, i) => formatBestAccuracy(v, f[i]?.bestEpoch ?? null),
      better: 'high',
    },
    { label: 'Test loss', values: f.map((x) => x.finalTestLoss), format: formatStat, better: 'low' },
    {
      label: 'Train accuracy',
      values: f.map((x) => x.finalTrainAccuracy),
      format: (v) => formatPercent(v, 2),
      better: null,
    },
    { label: 'Train loss', values: f.map((x) => x.finalTrainLoss), format: formatStat, better: null },
    { label: 'SOPs per sample', values: f.map((x) => x.energySops), format: formatCount, better: 'low' },
    { label: 'MACs per sample', values: f.map((x) => x.energyMacs), format: formatCount, better: 'low' },
    {
      label: 'Energy per sample',
      values: f.map((x) => x.energyMicrojoules),
      format: formatEnergy,
      better: 'low',
    },
    { label: 'Training time', values: f.map((x) => x.durationMs), format: formatDuration, better: null },
  ];
}

/** Index of the best finite value of a row (the first of equals); -1 when none or no direction. */
export function bestIndex(row: FinalRow): number {
  if (!row.better) return -1;
  let best = -1;
  row.values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    const b = best === -1 ? null : (row.values[best] ?? null);
    if (b === null || (row.better === 'high' ? v > b : v < b)) best = i;
  });
  return best;
}

export interface SeedColumn {
  readonly label: string;
  readonly pick: (r: RunSummary) => number | null;
  readonly format: (v: number) => string;
}

/**
 * The seed groups' columns after the seeds: each a final number, or each run's best test accuracy
 * (its own best epoch, as the paper reports mean ± std over seeds), as mean ± std over the group.
 */
export const SEED_COLUMNS: readonly SeedColumn[] = [
  { label: 'test accuracy', pick: (r) => r.finals.finalTestAccuracy, format: (v) => formatPercent(v, 2) },
  {
    label: 'best test accuracy',
    pick: (r) => r.progress.bestTestAccuracy,
    format: (v) => formatPercent(v, 2),
  },
  { label: 'test loss', pick: (r) => r.finals.finalTestLoss, format: formatHyper },
  { label: 'SOPs / sample', pick: (r) => r.finals.energySops, format: formatCount },
  { label: 'MACs / sample', pick: (r) => r.finals.energyMacs, format: formatCount },
  { label: 'energy µJ / sample', pick: (r) => r.finals.energyMicrojoules, format: formatStat },
];

/** Mean ± std over a seed group's runs of one final number; runs without it are left out. */
export function groupStats(
  runs: readonly RunSummary[],
  ids: readonly string[],
  pick: (r: RunSummary) => number | null,
): { mean: number; std: number; n: number } | null {
  return meanStd(ids.map((id) => runs.find((r) => r.id === id)).map((r) => (r ? pick(r) : null)));
}

/** "mean ± std" in a metric's own format; the missing mark when no run has the number. */
export function plusMinus(s: { mean: number; std: number } | null, format: (v: number) => string): string {
  return s ? `${format(s.mean)} ± ${format(s.std)}` : MISSING;
}
