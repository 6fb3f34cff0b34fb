/**
 * Axis ticks and ranges for the charts: tick labels, percent increments and the accuracy range.
 * uPlot calls these with the splits it chose; on a log axis it passes `null` for each tick it
 * drops to keep labels apart, so every label function takes `null` and writes it as no label.
 * Pure functions, unit-tested under Node.
 */

/** Decimals needed to write `increment` exactly (0.25 -> 2, 0.1 -> 1, 5 -> 0), at most 10. */
function decimalsOf(increment: number): number {
  const abs = Math.abs(increment);
  if (!Number.isFinite(abs) || abs === 0) return 0;
  for (let d = 0; d < 10; d++) {
    const scaled = abs * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 10;
}

/** 2.5e-5, 1e+6: exponent notation without padding zeros. */
function exponential(value: number, mantissaDecimals: number): string {
  const text = value.toExponential(Math.max(0, Math.min(6, mantissaDecimals)));
  return text.replace(/\.?0+e/, 'e');
}

/**
 * A linear-axis tick label with as many decimals as the tick spacing needs: ticks 0.25 apart read
 * 0.25 and 0.75 (not 0.3 and 0.8), and ticks of a slowly decaying learning rate (0.09995, 0.0999)
 * do not all read "0.1". `null` (a tick uPlot dropped) is no label.
 */
export function formatTick(value: number | null | undefined, increment: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-4) {
    const incrExp = Math.floor(Math.log10(Math.abs(increment) || abs));
    const incrMantissa = Math.abs(increment) / 10 ** incrExp;
    const digits = Math.floor(Math.log10(abs)) - incrExp + decimalsOf(incrMantissa);
    return exponential(value, digits);
  }
  return value.toFixed(decimalsOf(increment));
}

/**
 * A log-axis tick label. Its ticks span several decades (0.2 … 1 … 3), so the increment uPlot
 * passes says nothing about the decimals a tick needs: the value itself does, at three
 * significant digits.
 */
export function formatLogTick(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) return exponential(value, 2);
  return String(Number(value.toPrecision(3)));
}

/**
 * Steps of a percent axis, as fractions: whole-percent ticks (1, 2, 5, 10, 20, 25, 50 %) so
 * they read 75 % and 80 %, never 78 % and 83 %; tenths of a percent only when zoomed that far.
 */
export const PERCENT_INCREMENTS: readonly number[] = [
  0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1,
];

/** A percent tick (the value is a fraction): "75 %", or "99.5 %" when the ticks are that close. */
export function formatPercentTick(value: number | null | undefined, increment: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  const decimals = Math.max(0, decimalsOf(increment * 100));
  return `${(value * 100).toFixed(Math.min(2, decimals))} %`;
}

/**
 * The y range of a fraction (an accuracy): the data's range padded a little, snapped outwards to
 * whole percents and never past [0, 100 %]. A flat series (every value 100 %) gets a 1 % pad, so
 * the axis reads 99 %–100 %, not 0 %–200 %. No data: the whole [0, 100 %].
 */
export function percentRange(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    return [0, 1];
  }
  const pad = Math.max((max - min) * 0.1, 0.01);
  const lo = Math.max(0, Math.floor((min - pad) * 100 + 1e-9) / 100);
  const hi = Math.min(1, Math.ceil((max + pad) * 100 - 1e-9) / 100);
  return [lo, hi];
}

/**
 * Width of a y axis in CSS pixels, so its title never sits on its longest tick label: the
 * labels at about 7 px a character (the 12 px axis font) plus the tick marks and a gap.
 */
export function yAxisSize(labels: readonly (string | null | undefined)[]): number {
  const longest = labels.reduce((n, label) => Math.max(n, label?.length ?? 0), 0);
  return Math.max(40, Math.ceil(longest * 7 + 18));
}
