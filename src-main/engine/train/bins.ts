/**
 * The bins of a recorded histogram, chosen from the values themselves. A fixed 0-1 grid of 0.05
 * put gates that live in (0.475, 0.525) — every gate near its 0.5 initialisation — into two
 * bins; primitives can leave [0, 1] altogether. The range is the data's [min, max] widened to
 * whole multiples of a round bin width, so edges and tick labels read as plain decimals.
 */

/** Equal-width bins: bin i covers [lo + i*w, lo + (i+1)*w) with w = (hi - lo) / bins. */
export interface BinChoice {
  readonly lo: number;
  readonly hi: number;
  readonly bins: number;
}

/** Fewer bins than this shows no shape: values spread at all never get fewer. */
export const MIN_BINS = 8;
/** The count aimed at lies in [TARGET_MIN, MAX_BINS]: more over a few hundred channels is mostly empty bins. */
const TARGET_MIN = 10;
export const MAX_BINS = 30;

const ROUND_MANTISSAS = [1, 2, 2.5, 5] as const;

/** The largest round width (1, 2, 2.5 or 5 times a power of ten) not above `raw`. */
export function roundWidthAtMost(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / power;
  const step = mantissa >= 5 ? 5 : mantissa >= 2.5 ? 2.5 : mantissa >= 2 ? 2 : 1;
  return step * power;
}

/** The next round width above a round `width`: 0.0025 -> 0.005, 0.005 -> 0.01. */
export function nextRoundWidth(width: number): number {
  const power = 10 ** Math.floor(Math.log10(width) + 1e-9);
  const mantissa = Math.round((width / power) * 100) / 100;
  const next = ROUND_MANTISSAS.find((m) => m > mantissa);
  return next === undefined ? 10 * power : next * power;
}

/** Drops the float noise of k * width (0.47000000000000003), which would otherwise reach the labels. */
const tidy = (v: number) => Number(v.toPrecision(12));

function quantileOfSorted(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * How many bins the span deserves: Freedman–Diaconis (width 2·IQR·n^(-1/3), robust to a few
 * outlying channels), or Sturges when the quartiles coincide; within [MIN_BINS, MAX_BINS].
 */
function targetBins(sorted: Float64Array, span: number): number {
  const n = sorted.length;
  const iqr = quantileOfSorted(sorted, 0.75) - quantileOfSorted(sorted, 0.25);
  const wanted = iqr > 0 ? Math.ceil(span / (2 * iqr * n ** (-1 / 3))) : Math.ceil(Math.log2(n)) + 1;
  return Math.min(MAX_BINS, Math.max(TARGET_MIN, wanted));
}

/**
 * Bins for the finite values among `values`. All equal (a frozen or layer-wise quantity): one
 * bin of zero width at that value (lo == hi). None finite: no bins, lo = hi = 0.
 */
export function chooseBins(values: ArrayLike<number>): BinChoice {
  const finite = Float64Array.from(values).filter(Number.isFinite).sort();
  if (finite.length === 0) return { lo: 0, hi: 0, bins: 0 };
  const min = finite[0]!;
  const max = finite[finite.length - 1]!;
  const span = max - min;
  if (!(span > 0)) return { lo: min, hi: max, bins: 1 };
  const target = targetBins(finite, span);
  // Round widths step by up to 2x: of the round width just below span/target (at least the target
  // count of bins) and the next one up, take the count nearer the target, never below MIN_BINS
  // (gates spanning 0.046 get 10 bins of 0.005 rather than 19 of 0.0025).
  const below = roundWidthAtMost(span / target);
  const fine = gridOver(min, max, below);
  const coarse = gridOver(min, max, nextRoundWidth(below));
  const nearer = Math.abs(coarse.bins - target) < Math.abs(fine.bins - target);
  return coarse.bins >= MIN_BINS && nearer ? coarse : fine;
}

/** The bins of `width` on the grid of its multiples that cover [min, max]. */
function gridOver(min: number, max: number, width: number): BinChoice {
  const first = Math.floor(min / width);
  // The max may sit exactly on the last edge: the histogram's last bin is closed, so it still counts.
  const bins = Math.max(1, Math.ceil(max / width) - first);
  return { lo: tidy(first * width), hi: tidy((first + bins) * width), bins };
}
