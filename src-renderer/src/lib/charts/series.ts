/**
 * Series as the charts need them: x/y pairs, smoothed, thinned and aligned on one shared x axis
 * (uPlot draws aligned columns). Pure functions on plain arrays, unit-tested under Node.
 */

/** One named curve: x values ascending, y values of the same length (NaN or null for a gap). */
export interface XYSeries {
  readonly x: readonly number[];
  readonly y: readonly (number | null)[];
}

/** Columns for uPlot: the shared x, then one y column per series, `null` where a series has no point. */
export type AlignedColumns = [number[], ...(number | null)[][]];

/**
 * Exponential moving average with TensorBoard's debiasing, so the first points are not pulled
 * towards zero. `weight` 0 returns the series unchanged; non-finite values are kept as gaps and
 * do not poison the average.
 */
export function smooth(y: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return [...y];
  const w = Math.min(weight, 0.999);
  let last = 0;
  let debias = 0;
  return y.map((value) => {
    if (value === null || !Number.isFinite(value)) return null;
    last = last * w + (1 - w) * value;
    debias = debias * w + (1 - w);
    return last / debias;
  });
}

/**
 * Aligns series on the sorted union of their x values. A series without a point at some x gets
 * `null` there; the charts draw such series with `spanGaps` so an epoch curve stays a line while
 * a step curve runs beside it.
 */
export function align(series: readonly XYSeries[]): AlignedColumns {
  const xs = new Set<number>();
  for (const s of series) for (const x of s.x) xs.add(x);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((value, i) => [value, i]));
  const columns = series.map((s) => {
    const column = new Array<number | null>(x.length).fill(null);
    s.x.forEach((value, i) => {
      const yi = s.y[i];
      column[index.get(value)!] = yi === null || yi === undefined || !Number.isFinite(yi) ? null : yi;
    });
    return column;
  });
  return [x, ...columns];
}

/**
 * Keeps at most `maxPoints` points by averaging consecutive buckets: a per-step loss over a long
 * run stays drawable (and cheap to redraw on every pushed step) while keeping its trend.
 */
export function thin(series: XYSeries, maxPoints: number): XYSeries {
  const n = series.x.length;
  if (n <= maxPoints || maxPoints < 2) return series;
  const bucket = n / maxPoints;
  const x: number[] = [];
  const y: (number | null)[] = [];
  for (let b = 0; b < maxPoints; b++) {
    const from = Math.floor(b * bucket);
    const to = Math.min(n, Math.floor((b + 1) * bucket));
    let sum = 0;
    let count = 0;
    for (let i = from; i < to; i++) {
      const v = series.y[i];
      if (v !== null && v !== undefined && Number.isFinite(v)) {
        sum += v;
        count++;
      }
    }
    x.push(series.x[to - 1]!);
    y.push(count > 0 ? sum / count : null);
  }
  return { x, y };
}

/** Smallest and largest finite value; null when there is none. */
export function extent(values: readonly (number | null)[]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** Mean and sample standard deviation of the finite values (std 0 for a single value). */
export function meanStd(values: readonly (number | null)[]): { mean: number; std: number; n: number } | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return null;
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length;
  if (finite.length === 1) return { mean, std: 0, n: 1 };
  const variance = finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (finite.length - 1);
  return { mean, std: Math.sqrt(variance), n: finite.length };
}

/** Mean and std across runs at each x where at least one run has a value. */
export function meanCurve(curves: readonly XYSeries[]): {
  x: number[];
  mean: number[];
  lower: number[];
  upper: number[];
} {
  const byX = new Map<number, number[]>();
  for (const c of curves) {
    c.x.forEach((x, i) => {
      const y = c.y[i];
      if (y === null || y === undefined || !Number.isFinite(y)) return;
      let list = byX.get(x);
      if (!list) byX.set(x, (list = []));
      list.push(y);
    });
  }
  const x = [...byX.keys()].sort((a, b) => a - b);
  const stats = x.map((k) => meanStd(byX.get(k)!)!);
  return {
    x,
    mean: stats.map((s) => s.mean),
    lower: stats.map((s) => s.mean - s.std),
    upper: stats.map((s) => s.mean + s.std),
  };
}

/** The last finite value of a column (what a chart's line ends on); null when it has none. */
export function lastValue(column: readonly (number | null)[]): number | null {
  for (let i = column.length - 1; i >= 0; i--) {
    const v = column[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) return v;
  }
  return null;
}
