/**
 * Tick labels and value text of the time axes: durations since a run started (m:ss, h:mm:ss) and
 * clock times (HH:MM, with the date once a chart spans more than one day). x values are seconds;
 * clock times are read in the local time zone, as the user's own clock shows them. Pure.
 */
import type { XKind } from './x-axis';

/** Tick spacings of a duration axis, in seconds: ticks at whole seconds, minutes and hours. */
export const ELAPSED_INCREMENTS: readonly number[] = [
  0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
  172800, 604800,
];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * Seconds as m:ss, or h:mm:ss from an hour on; tenths of a second when the ticks are that close
 * (`increment` under a second). Negative durations keep their sign.
 */
export function formatElapsed(seconds: number, increment = 1): string {
  if (!Number.isFinite(seconds)) return '';
  const tenths = increment < 1;
  const sign = seconds < 0 ? '-' : '';
  // Rounded once, to what is shown, so 59.96 s reads 1:00, not 0:60.
  const total = tenths ? Math.round(Math.abs(seconds) * 10) / 10 : Math.round(Math.abs(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const sec = tenths ? s.toFixed(1).padStart(4, '0') : pad2(s);
  return h > 0 ? `${sign}${h}:${pad2(m)}:${sec}` : `${sign}${m}:${sec}`;
}

/** A duration tick; `null` (a tick uPlot dropped) is no label. */
export function formatElapsedTick(value: number | null | undefined, increment: number): string {
  return value === null || value === undefined ? '' : formatElapsed(value, increment);
}

function localDay(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** Whether two times (seconds since the Unix epoch) fall on different local days. */
export function spansDays(fromSeconds: number | null, toSeconds: number | null): boolean {
  if (
    fromSeconds === null ||
    toSeconds === null ||
    !Number.isFinite(fromSeconds) ||
    !Number.isFinite(toSeconds)
  )
    return false;
  return localDay(fromSeconds) !== localDay(toSeconds);
}

export interface ClockFormat {
  readonly seconds: boolean;
  readonly date: boolean;
  /** Tenths of a second, for ticks that close (a run a second long). */
  readonly tenths?: boolean;
}

/** A clock time: 14:05, 14:05:09 with seconds, 14:05:09.5 with tenths, "Mar 3 14:05" with the date. */
export function formatClock(seconds: number, options: ClockFormat): string {
  if (!Number.isFinite(seconds)) return '';
  const tenths = options.tenths === true;
  const d = new Date(tenths ? Math.round(seconds * 10) * 100 : Math.round(seconds) * 1000);
  const secs = tenths
    ? `:${pad2(d.getSeconds())}.${Math.floor(d.getMilliseconds() / 100)}`
    : options.seconds
      ? `:${pad2(d.getSeconds())}`
      : '';
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}${secs}`;
  return options.date ? `${MONTHS[d.getMonth()]} ${d.getDate()} ${time}` : time;
}

/**
 * Clock ticks of an axis showing `[min, max]`: HH:MM, with seconds when ticks are under a minute
 * apart (a short run), tenths when under a second, and with the date when the axis spans days.
 */
export function formatClockTicks(
  splits: readonly (number | null)[],
  increment: number,
  min: number | null,
  max: number | null,
): string[] {
  const options = { seconds: increment < 60, tenths: increment < 1, date: spansDays(min, max) };
  return splits.map((v) => (v === null ? '' : formatClock(v, options)));
}

/**
 * An x value as the tooltip and legend write it: a count whole (an epoch axis's step points to two
 * decimals), a duration as m:ss, a clock time to the second. `span`, the drawn data's first and
 * last x, adds tenths to durations of a chart under a minute long and the date to clock times of
 * one that spans days.
 */
export function formatXValue(kind: XKind, x: number, span: readonly [number, number] | null = null): string {
  if (!Number.isFinite(x)) return '';
  switch (kind) {
    case 'count':
      return Number.isInteger(x) ? String(x) : String(Number(x.toFixed(2)));
    case 'number':
      return Number.isInteger(x) ? String(x) : x.toPrecision(4);
    case 'elapsed':
      return formatElapsed(x, span !== null && span[1] - span[0] < 60 ? 0.1 : 1);
    case 'clock':
      return formatClock(x, { seconds: true, date: span !== null && spansDays(span[0], span[1]) });
  }
}

/** The x axis's title with its unit, so an exported chart says what its ticks count. */
export function xAxisTitle(kind: XKind, name: string, maxX: number | null): string {
  if (kind === 'elapsed') return `${name} (${maxX !== null && maxX >= 3600 ? 'h:mm:ss' : 'm:ss'})`;
  if (kind === 'clock') return `${name} (local clock)`;
  return name;
}

/** The narrowest span a time axis shows, in seconds: ten of its finest ticks (0.1 s). */
export const MIN_TIME_SPAN = 1;

/**
 * The x range of a time axis: the data's, widened about its middle to MIN_TIME_SPAN when
 * narrower. A small run on a fast machine logs every point within a few hundredths of a second,
 * and an axis that narrow has room for one tick at most, so it could not be read.
 */
export function timeAxisRange(min: number | null, max: number | null): [number | null, number | null] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [min, max];
  if (max - min >= MIN_TIME_SPAN) return [min, max];
  const mid = (min + max) / 2;
  return [mid - MIN_TIME_SPAN / 2, mid + MIN_TIME_SPAN / 2];
}
