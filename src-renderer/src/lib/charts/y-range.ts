/**
 * A y range typed in by the user for one chart: either end may be left empty for the data's own.
 * Checked as typed (a number, min below max, above zero on a log axis) and applied over the range
 * the chart would otherwise draw. On a percent chart the user types percents; the range is kept
 * in the data's units (fractions). Pure, for unit tests.
 */

/** Ends of a typed range in data units; null: the chart's own. */
export interface YRange {
  readonly min: number | null;
  readonly max: number | null;
}

export type YRangeParse =
  { readonly ok: true; readonly range: YRange | null } | { readonly ok: false; readonly error: string };

export interface YRangeAxis {
  readonly log: boolean;
  /** Values are fractions shown as percents: the inputs are in percent. */
  readonly percent: boolean;
}

function parseEnd(text: string, name: string): { value: number | null } | { error: string } {
  const t = text.trim();
  if (t === '') return { value: null };
  const value = Number(t);
  if (!Number.isFinite(value)) return { error: `The ${name} must be a number.` };
  return { value };
}

/**
 * The range two inputs describe, or why it is not one. Both empty: no range (back to auto).
 */
export function parseYRange(minText: string, maxText: string, axis: YRangeAxis): YRangeParse {
  const lo = parseEnd(minText, 'minimum');
  if ('error' in lo) return { ok: false, error: lo.error };
  const hi = parseEnd(maxText, 'maximum');
  if ('error' in hi) return { ok: false, error: hi.error };
  if (lo.value !== null && hi.value !== null && !(lo.value < hi.value))
    return { ok: false, error: 'The minimum must be below the maximum.' };
  if (axis.log && [lo.value, hi.value].some((v) => v !== null && v <= 0))
    return { ok: false, error: 'A log axis needs values above 0.' };
  if (lo.value === null && hi.value === null) return { ok: true, range: null };
  const scale = axis.percent ? 100 : 1;
  return {
    ok: true,
    range: {
      min: lo.value === null ? null : lo.value / scale,
      max: hi.value === null ? null : hi.value / scale,
    },
  };
}

/** One end as its input shows it (percent on a percent chart); empty for auto. */
export function yRangeInputText(value: number | null, percent: boolean): string {
  if (value === null) return '';
  return String(Number((percent ? value * 100 : value).toPrecision(12)));
}

/** "0.1 – 2", "≥ 0.1", "≤ 90 %": the range as the View menu names it when it is on. */
export function yRangeText(range: YRange, percent: boolean): string {
  const text = (v: number) => `${yRangeInputText(v, percent)}${percent ? ' %' : ''}`;
  if (range.min !== null && range.max !== null) return `${text(range.min)} – ${text(range.max)}`;
  if (range.min !== null) return `≥ ${text(range.min)}`;
  return range.max !== null ? `≤ ${text(range.max)}` : 'auto';
}

/**
 * The range drawn: the typed ends over the chart's own. An end the axis cannot show (zero or
 * below on a log axis, after log y was switched on) falls back to the chart's own; one end typed
 * past the other's automatic value moves that one, so the range never turns over.
 */
export function applyYRange(auto: readonly [number, number], typed: YRange, log: boolean): [number, number] {
  const usable = (v: number | null): v is number => v !== null && Number.isFinite(v) && (!log || v > 0);
  const min = usable(typed.min) ? typed.min : auto[0];
  let max = usable(typed.max) ? typed.max : auto[1];
  if (!(max > min)) {
    if (usable(typed.max) && !usable(typed.min)) return [log ? max / 10 : max - Math.abs(max || 1), max];
    max = log ? min * 10 : min + Math.abs(min || 1);
  }
  return [min, max];
}
