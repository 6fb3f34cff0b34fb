/**
 * A chart's own view settings, beside the page's: a log y axis for this chart only, and a y range
 * that clips outliers (one diverged step's loss of 40 flattens every other point to a line at the
 * bottom). Pure, for unit tests; LineChart applies them.
 */
import type { AlignedColumns } from './series';

export interface ChartView {
  /** null: as the page says (its Log scale switch, if any). */
  readonly logY: boolean | null;
  readonly clipOutliers: boolean;
}

export const DEFAULT_VIEW: ChartView = { logY: null, clipOutliers: false };

/** The share of values cut at each end when outliers are clipped. */
export const CLIP_QUANTILE = 0.01;

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/**
 * The y range holding all but the lowest and highest 1% of the drawn values, padded by 5% of its
 * span; null when there are too few values to call any an outlier (under 20) or all are equal.
 * `skip` leaves columns out (band edges are drawn from the same data as their band).
 */
export function clippedRange(
  columns: AlignedColumns,
  skip: (seriesIndex: number) => boolean = () => false,
): [number, number] | null {
  const values: number[] = [];
  columns.slice(1).forEach((column, i) => {
    if (skip(i)) return;
    for (const v of column) if (v !== null && Number.isFinite(v)) values.push(v);
  });
  if (values.length < 20) return null;
  values.sort((a, b) => a - b);
  const lo = quantile(values, CLIP_QUANTILE);
  const hi = quantile(values, 1 - CLIP_QUANTILE);
  if (!(hi > lo)) return null;
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}
