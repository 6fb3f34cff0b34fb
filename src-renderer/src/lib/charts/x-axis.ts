/**
 * What a curve chart's x axis counts (step, epoch, time since the run started or the wall clock)
 * and where each recorded point sits on it. Per-step and per-epoch series share one axis, so an
 * epoch's summary lands where that epoch's last step does. Pure, for unit tests under Node.
 */
import type { XYSeries } from './series';

export type XAxisUnit = 'step' | 'epoch' | 'relative' | 'wall';

export const X_AXIS_UNITS: readonly { readonly id: XAxisUnit; readonly label: string }[] = [
  { id: 'step', label: 'Step' },
  { id: 'epoch', label: 'Epoch' },
  { id: 'relative', label: 'Relative time' },
  { id: 'wall', label: 'Wall time' },
];

/** How a chart writes its x values: counts, plain numbers, seconds elapsed or seconds of the clock. */
export type XKind = 'count' | 'number' | 'elapsed' | 'clock';

export function parseXAxisUnit(raw: unknown): XAxisUnit | null {
  return X_AXIS_UNITS.some((u) => u.id === raw) ? (raw as XAxisUnit) : null;
}

export function isTimeUnit(unit: XAxisUnit): boolean {
  return unit === 'relative' || unit === 'wall';
}

export function xKindOf(unit: XAxisUnit): XKind {
  return unit === 'relative' ? 'elapsed' : unit === 'wall' ? 'clock' : 'count';
}

/** The x axis's name, as the tooltip and legend say it; the axis title adds the unit (ticks.ts). */
export function xAxisName(unit: XAxisUnit): string {
  return unit === 'relative' ? 'time since start' : unit === 'wall' ? 'wall time' : unit;
}

/** A recorded point: its global step, its epoch (0-based) and, since migration 006, its time. */
export interface AxisPoint {
  readonly step: number;
  readonly epoch: number;
  readonly value: number;
  readonly recordedAt?: number | null;
}

/** Where each epoch's steps begin and end: the first step's index and the steps done after it. */
export interface EpochSpans {
  /** Steps done at the end of each finished epoch (an epoch point's `step`), by epoch. */
  readonly ends: ReadonlyMap<number, number>;
  /** Steps in an epoch not finished yet (from live progress or the last finished epoch); null: unknown. */
  readonly stepsPerEpoch: number | null;
}

/**
 * The epochs' step spans from one per-epoch series (every finished epoch has a point in it).
 * `stepsPerEpoch` is what live progress reports; without it the last finished epoch's length is
 * taken for the epoch in progress.
 */
export function epochSpans(epochPoints: readonly AxisPoint[], stepsPerEpoch: number | null): EpochSpans {
  const ends = new Map<number, number>();
  for (const p of epochPoints) ends.set(p.epoch, p.step);
  let length = stepsPerEpoch;
  if (length === null) {
    const last = Math.max(-1, ...ends.keys());
    const end = ends.get(last);
    if (end !== undefined) length = end - (ends.get(last - 1) ?? 0);
  }
  return { ends, stepsPerEpoch: length !== null && length > 0 ? length : null };
}

/** Where the time axes start: the run's start, or its first point when that is earlier (a resume). */
export function timeZero(startedAt: number | null, firstRecordedAt: number | null): number | null {
  if (startedAt === null) return firstRecordedAt;
  return firstRecordedAt === null ? startedAt : Math.min(startedAt, firstRecordedAt);
}

/** The earliest record time among a run's points; null when none has one. */
export function firstRecorded(series: Iterable<readonly AxisPoint[]>): number | null {
  let first: number | null = null;
  for (const points of series)
    for (const p of points)
      if (p.recordedAt != null && (first === null || p.recordedAt < first)) first = p.recordedAt;
  return first;
}

export interface XAxisContext {
  readonly unit: XAxisUnit;
  /** Needed on the epoch axis to place per-step points within their epoch. */
  readonly spans: EpochSpans;
  /** ms since the Unix epoch the relative axis counts from; null: the run has no record times. */
  readonly zeroMs: number | null;
}

/** Whether a series holds one point per step or one per finished epoch. */
export type SeriesCadence = 'step' | 'epoch';

/**
 * A point's x, or null when it has none on this axis (no record time on a time axis). Epoch
 * points carry the steps done (the next step's index): on the step axis they sit at the epoch's
 * last step, and on the epoch axis at the epoch's 1-based number, where its last step also lands.
 */
export function pointX(p: AxisPoint, cadence: SeriesCadence, ctx: XAxisContext): number | null {
  switch (ctx.unit) {
    case 'step':
      return cadence === 'epoch' ? Math.max(0, p.step - 1) : p.step;
    case 'epoch':
      return cadence === 'epoch' ? p.epoch + 1 : p.epoch + stepFraction(p, ctx.spans);
    case 'relative':
      return p.recordedAt != null && ctx.zeroMs !== null ? (p.recordedAt - ctx.zeroMs) / 1000 : null;
    case 'wall':
      // Seconds, as uPlot's time scale counts them.
      return p.recordedAt != null ? p.recordedAt / 1000 : null;
  }
}

/** How far into its epoch a step point is, in [0, 1]: the epoch's last step gives 1. */
function stepFraction(p: AxisPoint, spans: EpochSpans): number {
  const end = spans.ends.get(p.epoch);
  const start = spans.ends.get(p.epoch - 1) ?? (p.epoch === 0 ? 0 : undefined);
  const length = start !== undefined && end !== undefined ? end - start : spans.stepsPerEpoch;
  if (length === null || length <= 0) return 0;
  // An epoch known only by its end (the one before it was downsampled away) or by neither.
  const from = start ?? (end !== undefined ? end - length : p.epoch * length);
  return Math.min(1, Math.max(0, (p.step - from + 1) / length));
}

/** A series on the chosen axis; points without an x there are left out. */
export function axisCurve(points: readonly AxisPoint[], cadence: SeriesCadence, ctx: XAxisContext): XYSeries {
  const x: number[] = [];
  const y: number[] = [];
  for (const p of points) {
    const at = pointX(p, cadence, ctx);
    if (at === null) continue;
    x.push(at);
    y.push(p.value);
  }
  return { x, y };
}

/** Whether any point has a record time: the time axes have nothing to show for a run without. */
export function hasRecordTimes(series: Iterable<readonly AxisPoint[]>): boolean {
  return firstRecorded(series) !== null;
}
