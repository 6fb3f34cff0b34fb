/**
 * How numbers are written in tables. Every formatter takes `null` (not known yet, or never
 * recorded) and writes it as an em dash, so a cell is never blank. A loss that diverged is
 * written as ∞ or NaN by formatHyper: that is a result, not a missing value.
 */

export const MISSING = '—';

/** 0.8534 -> "85.3 %" */
export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return MISSING;
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** 1_234_567 -> "1.23 M"; small counts stay whole. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  const abs = Math.abs(value);
  const units: ReadonlyArray<readonly [number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) {
    if (abs >= size) return `${trimZeros((value / size).toPrecision(3))} ${unit}`;
  }
  return abs >= 100 || Number.isInteger(value) ? String(Math.round(value)) : trimZeros(value.toPrecision(3));
}

/** ∞, −∞ or NaN: a diverged value is shown as what it is, not as missing. */
export function formatNonFinite(value: number): string {
  return Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '−∞';
}

/** A hyperparameter or a loss as the CLI would write it: 0.1, 5e-5, 64; a diverged loss as ∞ or NaN. */
export function formatHyper(value: number | null | undefined): string {
  if (value === null || value === undefined) return MISSING;
  if (!Number.isFinite(value)) return formatNonFinite(value);
  // Six significant digits in either notation: a computed value never prints a float's 17.
  if (value !== 0 && Math.abs(value) < 1e-3) return Number(value.toPrecision(6)).toExponential();
  return String(Number(value.toPrecision(6)));
}

/**
 * A measured value (a loss, the current decayed learning rate) at four significant digits, for
 * stats and chart legends: 3.0995049003826325e-4 -> "3.1e-4", 2.302585 -> "2.303".
 */
export function formatStat(value: number | null | undefined): string {
  if (value === null || value === undefined) return MISSING;
  if (!Number.isFinite(value)) return formatNonFinite(value);
  const rounded = Number(value.toPrecision(4));
  const abs = Math.abs(rounded);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return rounded.toExponential();
  return String(rounded);
}

/**
 * An energy estimate given in microjoules, in the unit that reads best at three significant
 * digits: 0.0123 -> "12.3 nJ", 45.6 -> "45.6 µJ", 1234 -> "1.23 mJ".
 */
export function formatEnergy(microjoules: number | null | undefined): string {
  if (microjoules === null || microjoules === undefined) return MISSING;
  if (!Number.isFinite(microjoules)) return formatNonFinite(microjoules);
  const abs = Math.abs(microjoules);
  const [scale, unit] = abs !== 0 && abs < 1 ? [1e3, 'nJ'] : abs >= 1e3 ? [1e-3, 'mJ'] : [1, 'µJ'];
  return `${Number((microjoules * scale).toPrecision(3))} ${unit}`;
}

/** Training time: "4.2 s", "3 min 07 s", "2 h 05 min". */
/**
 * A WebGPU adapter as a run's page names it: its own description, then vendor and architecture,
 * and "software" where it is a CPU emulating a GPU (its figures are not GPU figures).
 */
export function formatAdapter(a: {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  software: boolean;
}): string {
  const parts = [a.vendor, a.architecture].filter((p) => p !== '');
  if (a.software && a.architecture !== 'software') parts.push('software');
  const name = a.description || a.device || 'unnamed adapter';
  return parts.length > 0 ? `${name} (${parts.join(', ')})` : name;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return MISSING;
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const wholeSeconds = Math.round(seconds);
  const totalMinutes = Math.floor(wholeSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes} min ${pad2(wholeSeconds % 60)} s`;
  return `${Math.floor(totalMinutes / 60)} h ${pad2(totalMinutes % 60)} min`;
}

/** "1–64", "1–10,000,000": integer ranges with thousands separators. */
export function formatInteger(value: number): string {
  return value.toLocaleString('en-US');
}

/** A date for tables: "12 May, 14:03" this year, "12 May 2024" otherwise. */
export function formatDate(epochMs: number, now: number = Date.now()): string {
  const date = new Date(epochMs);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  const day = date.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: sameYear ? undefined : 'numeric',
  });
  if (!sameYear) return day;
  const time = date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return `${day}, ${time}`;
}

function pad2(value: number): string {
  return String(value).padStart(2, '0');
}

function trimZeros(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}
