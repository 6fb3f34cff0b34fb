import { chooseBins, type BinChoice } from './bins';
import type { Histogram, SummaryStats } from './events';

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(values: ArrayLike<number>): SummaryStats {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = n ? sum / n : NaN;
  let sq = 0;
  for (const v of sorted) sq += (v - mean) ** 2;
  return {
    count: n,
    mean,
    std: n ? Math.sqrt(sq / n) : NaN,
    min: n ? sorted[0] : NaN,
    max: n ? sorted[n - 1] : NaN,
    p05: quantile(sorted, 0.05),
    p25: quantile(sorted, 0.25),
    p50: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    p95: quantile(sorted, 0.95),
  };
}

/**
 * Equal-width histogram of the finite values over bins chosen from them (see bins.ts), or over
 * the given bins. Values outside [lo, hi] land in the edge bins; NaN and infinities (a diverged
 * run) are left out of the counts, as they have no place on the axis; the summary counts them.
 */
export function histogram(values: ArrayLike<number>, choice: BinChoice = chooseBins(values)): Histogram {
  const { lo, hi, bins } = choice;
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v) || bins === 0) continue;
    // Zero width (all values equal) puts everything in the one bin.
    const b = width > 0 ? Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width))) : 0;
    counts[b]!++;
  }
  return { lo, hi, counts };
}
