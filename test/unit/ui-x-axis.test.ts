import { describe, expect, it } from 'vitest';
import {
  axisCurve,
  epochSpans,
  firstRecorded,
  parseXAxisUnit,
  pointX,
  timeZero,
  xKindOf,
  type AxisPoint,
  type XAxisContext,
  type XAxisUnit,
} from '../../src-renderer/src/lib/charts/x-axis';

// Two epochs of four steps (0-based global steps 0..7); an epoch point carries the steps done.
const T0 = 1_700_000_000_000;
const steps: AxisPoint[] = Array.from({ length: 8 }, (_, step) => ({
  step,
  epoch: Math.floor(step / 4),
  value: 2 - step / 10,
  recordedAt: T0 + 1000 * (step + 1),
}));
const epochs: AxisPoint[] = [
  { step: 4, epoch: 0, value: 1.5, recordedAt: T0 + 4500 },
  { step: 8, epoch: 1, value: 1.2, recordedAt: T0 + 8500 },
];
const spans = epochSpans(epochs, null);
const ctx = (unit: XAxisUnit, zeroMs: number | null = T0): XAxisContext => ({ unit, spans, zeroMs });

describe('placing points on the x axis', () => {
  it('puts an epoch point at its epoch’s last step on the step axis', () => {
    expect(axisCurve(epochs, 'epoch', ctx('step')).x).toEqual([3, 7]);
    expect(axisCurve(steps, 'step', ctx('step')).x).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('puts step points within their epoch on the epoch axis, the last one on the epoch point', () => {
    expect(axisCurve(epochs, 'epoch', ctx('epoch')).x).toEqual([1, 2]);
    expect(axisCurve(steps, 'step', ctx('epoch')).x).toEqual([0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2]);
  });

  it('places an epoch still training by the live steps per epoch, or by the last finished epoch', () => {
    const inProgress: AxisPoint = { step: 9, epoch: 2, value: 1 };
    expect(pointX(inProgress, 'step', { ...ctx('epoch'), spans: epochSpans(epochs, 8) })).toBe(2 + 2 / 8);
    expect(pointX(inProgress, 'step', ctx('epoch'))).toBe(2 + 2 / 4);
    // Nothing known about the epoch's length (the first epoch, before any progress): its start.
    expect(
      pointX({ step: 1, epoch: 0, value: 1 }, 'step', { ...ctx('epoch'), spans: epochSpans([], null) }),
    ).toBe(0);
  });

  it('counts seconds since the run started on the relative axis', () => {
    expect(axisCurve(steps.slice(0, 3), 'step', ctx('relative')).x).toEqual([1, 2, 3]);
    expect(axisCurve(epochs, 'epoch', ctx('relative')).x).toEqual([4.5, 8.5]);
  });

  it('gives the clock time in seconds on the wall axis', () => {
    expect(axisCurve(epochs, 'epoch', ctx('wall')).x).toEqual([(T0 + 4500) / 1000, (T0 + 8500) / 1000]);
  });

  it('leaves points without a record time out of the time axes only', () => {
    const old: AxisPoint[] = [
      { step: 0, epoch: 0, value: 2, recordedAt: null },
      { step: 1, epoch: 0, value: 1.9 },
      { step: 2, epoch: 0, value: 1.8, recordedAt: T0 + 3000 },
    ];
    expect(axisCurve(old, 'step', ctx('relative'))).toEqual({ x: [3], y: [1.8] });
    expect(axisCurve(old, 'step', ctx('wall')).y).toEqual([1.8]);
    expect(axisCurve(old, 'step', ctx('step')).y).toEqual([2, 1.9, 1.8]);
    // A run without any record time has no relative axis at all.
    expect(axisCurve(old, 'step', ctx('relative', null))).toEqual({ x: [], y: [] });
  });
});

describe('the time axes’ zero', () => {
  it('is the run’s start, or its first point when that is earlier (a resumed run)', () => {
    expect(timeZero(T0, T0 + 500)).toBe(T0);
    expect(timeZero(T0 + 900, T0 + 500)).toBe(T0 + 500);
    expect(timeZero(null, T0 + 500)).toBe(T0 + 500);
    expect(timeZero(T0, null)).toBe(T0);
    expect(timeZero(null, null)).toBeNull();
  });

  it('takes the earliest record time of any series', () => {
    expect(firstRecorded([steps, epochs])).toBe(T0 + 1000);
    expect(firstRecorded([[{ step: 0, epoch: 0, value: 1, recordedAt: null }]])).toBeNull();
  });
});

describe('the x axis choice', () => {
  it('reads a stored choice back, and nothing else', () => {
    expect(parseXAxisUnit('wall')).toBe('wall');
    expect(parseXAxisUnit('relative')).toBe('relative');
    expect(parseXAxisUnit('time')).toBeNull();
    expect(parseXAxisUnit(null)).toBeNull();
  });

  it('writes steps and epochs as counts, times as durations or clock times', () => {
    expect(xKindOf('step')).toBe('count');
    expect(xKindOf('epoch')).toBe('count');
    expect(xKindOf('relative')).toBe('elapsed');
    expect(xKindOf('wall')).toBe('clock');
  });
});
