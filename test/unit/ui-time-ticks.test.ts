import { describe, expect, it } from 'vitest';
import {
  MIN_TIME_SPAN,
  timeAxisRange,
  formatClock,
  formatClockTicks,
  formatElapsed,
  formatElapsedTick,
  formatXValue,
  spansDays,
  xAxisTitle,
} from '../../src-renderer/src/lib/charts/time-ticks';

// Local times, so the tests read the same in every time zone.
const at = (day: number, h: number, m: number, s = 0) => new Date(2024, 2, day, h, m, s).getTime() / 1000;

describe('durations since a run started', () => {
  it('reads m:ss under an hour and h:mm:ss from an hour on', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(65)).toBe('1:05');
    expect(formatElapsed(59.6)).toBe('1:00');
    expect(formatElapsed(3600)).toBe('1:00:00');
    expect(formatElapsed(3 * 3600 + 4 * 60 + 5)).toBe('3:04:05');
    expect(formatElapsed(-5)).toBe('-0:05');
  });

  it('shows tenths when the ticks are under a second apart', () => {
    expect(formatElapsedTick(1.5, 0.5)).toBe('0:01.5');
    expect(formatElapsedTick(12, 0.2)).toBe('0:12.0');
    expect(formatElapsedTick(90, 30)).toBe('1:30');
    expect(formatElapsedTick(null, 30)).toBe('');
  });
});

describe('clock times', () => {
  it('reads HH:MM, with seconds or the date when asked', () => {
    expect(formatClock(at(3, 9, 5, 7), { seconds: false, date: false })).toBe('09:05');
    expect(formatClock(at(3, 14, 5, 7), { seconds: true, date: false })).toBe('14:05:07');
    expect(formatClock(at(3, 14, 5), { seconds: false, date: true })).toBe('Mar 3 14:05');
  });

  it('adds the date to the ticks only when the axis spans days', () => {
    const sameDay = formatClockTicks([at(3, 14, 0), at(3, 15, 0), null], 3600, at(3, 13, 50), at(3, 15, 10));
    expect(sameDay).toEqual(['14:00', '15:00', '']);
    const overnight = formatClockTicks([at(3, 23, 0), at(4, 1, 0)], 7200, at(3, 22, 0), at(4, 2, 0));
    expect(overnight).toEqual(['Mar 3 23:00', 'Mar 4 01:00']);
    // A short run's ticks are seconds apart, a very short one's tenths.
    expect(formatClockTicks([at(3, 14, 0, 30)], 10, at(3, 14, 0), at(3, 14, 1))).toEqual(['14:00:30']);
    expect(formatClockTicks([at(3, 14, 0, 30) + 0.5], 0.5, at(3, 14, 0, 30), at(3, 14, 0, 31))).toEqual([
      '14:00:30.5',
    ]);
  });

  it('tells whether two times fall on different days', () => {
    expect(spansDays(at(3, 0, 1), at(3, 23, 59))).toBe(false);
    expect(spansDays(at(3, 23, 59), at(4, 0, 1))).toBe(true);
    expect(spansDays(null, at(4, 0, 1))).toBe(false);
  });
});

describe('x values in tooltips and legends', () => {
  it('writes each kind of axis in its unit', () => {
    expect(formatXValue('count', 120)).toBe('120');
    expect(formatXValue('count', 2.3456)).toBe('2.35');
    expect(formatXValue('number', 0.4987654)).toBe('0.4988');
    expect(formatXValue('elapsed', 125.4, [0, 600])).toBe('2:05');
    expect(formatXValue('clock', at(3, 14, 5, 9), [at(3, 14, 0), at(3, 15, 0)])).toBe('14:05:09');
  });

  it('adds tenths to a short chart’s durations and the date to a chart over days', () => {
    expect(formatXValue('elapsed', 4.56, [4.2, 4.7])).toBe('0:04.6');
    expect(formatXValue('clock', at(3, 14, 5, 9), [at(2, 20, 0), at(3, 15, 0)])).toBe('Mar 3 14:05:09');
  });

  it('names the unit in the axis title', () => {
    expect(xAxisTitle('count', 'step', 10)).toBe('step');
    expect(xAxisTitle('elapsed', 'time since start', 300)).toBe('time since start (m:ss)');
    expect(xAxisTitle('elapsed', 'time since start', 4000)).toBe('time since start (h:mm:ss)');
    expect(xAxisTitle('clock', 'wall time', null)).toBe('wall time (local clock)');
  });
});

describe('the x range of a time axis', () => {
  it('widens a span narrower than a second about its middle, so the axis has ticks to show', () => {
    const [lo, hi] = timeAxisRange(100, 100.04);
    expect(lo).toBeCloseTo(99.52, 9);
    expect(hi).toBeCloseTo(100.52, 9);
    expect(timeAxisRange(5, 5)).toEqual([4.5, 5.5]);
  });

  it('keeps a wide span, and what uPlot passes when there is no data', () => {
    expect(timeAxisRange(100, 160)).toEqual([100, 160]);
    expect(timeAxisRange(0, MIN_TIME_SPAN)).toEqual([0, 1]);
    expect(timeAxisRange(null, null)).toEqual([null, null]);
  });
});
