/**
 * What the distribution panel draws besides the curves: the quantile chart with its band legend,
 * the caption naming a histogram's bins, and the sentence that replaces a histogram of equal values.
 */
import { formatStat } from '../components/format';
import { quantileSeries, type DistributionEntry } from './distributions';
import type { AlignedColumns } from './series';
import { translucent, type ChartBand, type ChartSeries } from './types';

const QUANTILE_COLOR = '#1d4f91';
const MEAN_COLOR = '#b35c00';
const OUTER_FILL = translucent(QUANTILE_COLOR, 0.1);
const INNER_FILL = translucent(QUANTILE_COLOR, 0.2);

/** One entry of the quantile chart's legend: a filled band or a line. */
export interface QuantileLegendItem {
  readonly label: string;
  readonly color: string;
  readonly kind: 'band' | 'line' | 'dashed';
}

/**
 * The bands and lines of the quantile chart, named the way the legend reads. uPlot's own legend
 * leaves band edges out, so without this the two shaded bands had no name at all.
 */
export const QUANTILE_LEGEND: readonly QuantileLegendItem[] = [
  { label: '5–95 %', color: OUTER_FILL, kind: 'band' },
  // The inner band is drawn over the outer one: its swatch shows the two together.
  { label: '25–75 %', color: translucent(QUANTILE_COLOR, 0.28), kind: 'band' },
  { label: 'median', color: QUANTILE_COLOR, kind: 'line' },
  { label: 'mean', color: MEAN_COLOR, kind: 'dashed' },
];

export interface QuantileChart {
  readonly columns: AlignedColumns;
  readonly series: readonly ChartSeries[];
  readonly bands: readonly ChartBand[];
}

/** One layer's quantity over epochs: the 5–95 % and 25–75 % bands, the median and the mean. */
export function quantileChart(entries: readonly DistributionEntry[]): QuantileChart {
  const q = quantileSeries(entries);
  const edge = (label: string): ChartSeries => ({
    label,
    color: QUANTILE_COLOR,
    bandEdge: true,
    spanGaps: true,
  });
  return {
    columns: [q.epochs.map((e) => e + 1), q.p95, q.p05, q.p75, q.p25, q.p50, q.mean],
    series: [
      edge('95 %'),
      edge('5 %'),
      edge('75 %'),
      edge('25 %'),
      { label: 'median', color: QUANTILE_COLOR, width: 2, points: true, spanGaps: true },
      { label: 'mean', color: MEAN_COLOR, dash: [4, 3], spanGaps: true },
    ],
    bands: [
      { upper: 0, lower: 1, fill: OUTER_FILL },
      { upper: 2, lower: 3, fill: INNER_FILL },
    ],
  };
}

/** "11 bins of 0.005 from 0.47 to 0.525": which bins the recorded histogram used. */
export function binCaption(h: DistributionEntry['histogram']): string | null {
  const n = h.counts.length;
  if (n === 0 || !(h.hi > h.lo)) return null;
  const width = (h.hi - h.lo) / n;
  return `${n} bin${n === 1 ? '' : 's'} of ${formatStat(width)} from ${formatStat(h.lo)} to ${formatStat(h.hi)}`;
}

/**
 * The sentence shown instead of a histogram whose values are all equal (a layer-wise parameter,
 * one value per layer; a primitive before it first moves): a single bar says less than the value.
 */
export function sameValueNote(entry: DistributionEntry): string | null {
  const h = entry.histogram;
  const counted = h.counts.reduce((a, b) => a + b, 0);
  if (counted === 0 || h.hi > h.lo) return null;
  const value = formatStat(h.lo);
  return counted === 1
    ? `One value for the whole layer at epoch ${entry.epoch + 1}: ${value}.`
    : `All ${counted} channels hold ${value} at epoch ${entry.epoch + 1}.`;
}
