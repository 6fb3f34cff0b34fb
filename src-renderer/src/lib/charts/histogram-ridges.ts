/**
 * Distributions over epochs as one picture, like TensorBoard's offset histograms: each epoch's
 * histogram is a ridge, later epochs lower and in front, on one shared x axis, so a gate drifting
 * or spreading over training reads at a glance. Pure geometry (SVG path data), for unit tests;
 * HistogramRidges.svelte draws it.
 */
import type { DistributionEntry } from './distributions';
import { histogramCurve } from './distributions';

export interface Ridge {
  readonly epoch: number;
  /** Closed SVG path of the ridge (its stepped density and the baseline under it). */
  readonly path: string;
  /** y of the ridge's baseline in the drawing. */
  readonly baseline: number;
}

export interface RidgeLayout {
  readonly xMin: number;
  readonly xMax: number;
  /** x position (drawing units) of a value. */
  readonly xOf: (value: number) => number;
  readonly ridges: readonly Ridge[];
}

/** At most this many ridges: beyond it they merge into a band; epochs are sampled evenly, the last kept. */
export const MAX_RIDGES = 40;

/** Evenly spread picks of `count` out of `n` indices, always the first and the last. */
export function sampleIndices(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  const picks = new Set<number>();
  for (let k = 0; k < count; k++) picks.add(Math.round((k * (n - 1)) / (count - 1)));
  return [...picks].sort((a, b) => a - b);
}

const round = (v: number) => Math.round(v * 10) / 10;

/**
 * Lays out the ridges of `entries` (one per epoch, any order) in a `width` x `height` box. Every
 * ridge shares the tallest density's scale, which reaches `peak` of the box height, so heights
 * compare across epochs. Empty histograms are skipped.
 */
export function ridgeLayout(
  entries: readonly DistributionEntry[],
  width: number,
  height: number,
  peak = 0.35,
): RidgeLayout | null {
  const sorted = [...entries].sort((a, b) => a.epoch - b.epoch);
  const curves = sorted
    .map((entry) => ({ epoch: entry.epoch, curve: histogramCurve(entry.histogram) }))
    .filter((c) => c.curve.x.length > 1);
  if (curves.length === 0) return null;
  const shown = sampleIndices(curves.length, MAX_RIDGES).map((i) => curves[i]!);
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMax = 0;
  for (const { curve } of shown) {
    xMin = Math.min(xMin, curve.x[0]!);
    xMax = Math.max(xMax, curve.x[curve.x.length - 1]!);
    for (const y of curve.y) if (y !== null && y > yMax) yMax = y;
  }
  if (!(xMax > xMin) || !(yMax > 0)) return null;
  const xOf = (value: number) => ((value - xMin) / (xMax - xMin)) * width;
  const ridgeHeight = height * peak;
  // The first ridge's baseline leaves room for its peak; the last sits on the bottom edge.
  const top = ridgeHeight;
  const step = shown.length > 1 ? (height - top) / (shown.length - 1) : 0;
  const ridges = shown.map(({ epoch, curve }, i) => {
    const baseline = shown.length > 1 ? top + i * step : height;
    const parts = [`M${round(xOf(curve.x[0]!))},${round(baseline)}`];
    for (let k = 0; k < curve.x.length; k++) {
      const x = round(xOf(curve.x[k]!));
      const y = round(baseline - ((curve.y[k] ?? 0) / yMax) * ridgeHeight);
      // Stepped: each bin's density holds until the next edge.
      if (k > 0) parts.push(`H${x}`);
      parts.push(`V${y}`);
    }
    parts.push(`V${round(baseline)}Z`);
    return { epoch, path: parts.join(''), baseline: round(baseline) };
  });
  return { xMin, xMax, xOf, ridges };
}
