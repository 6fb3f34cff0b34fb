/**
 * A chart's own view settings, beside the page's: a log y axis for this chart only, a y range
 * that clips outliers (one diverged step's loss of 40 flattens every other point to a line at the
 * bottom) and a y range typed in. Pure, for unit tests; LineChart applies them.
 */
import type { AlignedColumns } from './series';
import type { YRange } from './y-range';
import { parseStoredRecord } from '../state/stored-record';

export interface ChartView {
  /** null: as the page says (its Log scale switch, if any). */
  readonly logY: boolean | null;
  readonly clipOutliers: boolean;
  /** Typed in (View menu, "Y range…"); null: the chart's own. */
  readonly yRange: YRange | null;
}

export const DEFAULT_VIEW: ChartView = { logY: null, clipOutliers: false, yRange: null };

/** Where charts that have a key keep their views in the renderer's local storage. */
export const CHART_VIEWS_STORAGE_KEY = 'glif.chartViews';

const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** One stored view; anything malformed is read as the default, never thrown. */
function parseView(value: unknown): ChartView | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  const logY = typeof v['logY'] === 'boolean' ? v['logY'] : null;
  const clipOutliers = v['clipOutliers'] === true;
  let yRange: YRange | null = null;
  const r = v['yRange'];
  if (typeof r === 'object' && r !== null) {
    const min = finiteOrNull((r as Record<string, unknown>)['min']);
    const max = finiteOrNull((r as Record<string, unknown>)['max']);
    if ((min !== null || max !== null) && (min === null || max === null || min < max)) yRange = { min, max };
  }
  return { logY, clipOutliers, yRange };
}

/** The stored views by chart key. */
export function parseChartViews(text: string | null): Map<string, ChartView> {
  return parseStoredRecord(text, (_key, view) => parseView(view) ?? undefined);
}

/** Only views that differ from the default are kept, so the stored text stays small. */
export function serializeChartViews(views: ReadonlyMap<string, ChartView>): string {
  const kept = [...views].filter(([, v]) => v.logY !== null || v.clipOutliers || v.yRange !== null);
  return JSON.stringify(Object.fromEntries(kept));
}

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
