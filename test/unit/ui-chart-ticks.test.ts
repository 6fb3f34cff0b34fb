import { describe, expect, it } from 'vitest';
import {
  formatLogTick,
  formatPercentTick,
  formatTick,
  PERCENT_INCREMENTS,
  percentRange,
  yAxisSize,
} from '../../src-renderer/src/lib/charts/ticks';

describe('linear axis ticks', () => {
  it('shows as many decimals as the tick spacing needs', () => {
    expect(formatTick(0.0999, 0.0001)).toBe('0.0999');
    expect(formatTick(0.1, 0.0001)).toBe('0.1000');
    expect(formatTick(2.5, 0.5)).toBe('2.5');
    expect(formatTick(20, 5)).toBe('20');
    expect(formatTick(0, 0.1)).toBe('0');
    expect(formatTick(3e-5, 1e-5)).toBe('3e-5');
    expect(formatTick(250000, 50000)).toBe('2.5e+5');
  });

  it('writes ticks 0.25 apart with two decimals, not rounded to 0.3 and 0.8', () => {
    expect([0, 0.25, 0.5, 0.75, 1].map((v) => formatTick(v, 0.25))).toEqual([
      '0',
      '0.25',
      '0.50',
      '0.75',
      '1.00',
    ]);
    expect(formatTick(2.5e-5, 2.5e-5)).toBe('2.5e-5');
  });

  it('writes no label for a tick uPlot dropped (null)', () => {
    expect(formatTick(null, 0.1)).toBe('');
    expect(formatTick(undefined, 0.1)).toBe('');
  });
});

describe('log axis ticks', () => {
  it('takes the nulls uPlot passes for dropped ticks and labels the rest by their own digits', () => {
    const splits = [0.2, null, null, 0.5, null, 1, 2, null, 5, 10, 3e-4, 2e5];
    expect(splits.map(formatLogTick)).toEqual([
      '0.2',
      '',
      '',
      '0.5',
      '',
      '1',
      '2',
      '',
      '5',
      '10',
      '3e-4',
      '2e+5',
    ]);
  });
});

describe('percent axis ticks', () => {
  it('steps by round percentages only', () => {
    for (const incr of PERCENT_INCREMENTS) {
      const percent = incr * 100;
      const mantissa = percent / 10 ** Math.floor(Math.log10(percent));
      expect([1, 2, 2.5, 5]).toContainEqual(expect.closeTo(mantissa, 9));
    }
    // The 78 % / 83 % of a 2.5 % step are no longer possible: 5 % steps read 75 % and 80 %.
    expect(PERCENT_INCREMENTS).not.toContain(0.025);
    expect([0.75, 0.8, 0.85].map((v) => formatPercentTick(v, 0.05))).toEqual(['75 %', '80 %', '85 %']);
  });

  it('shows tenths of a percent only when the ticks are that close, and nothing for null', () => {
    expect(formatPercentTick(0.995, 0.005)).toBe('99.5 %');
    expect(formatPercentTick(1, 0.01)).toBe('100 %');
    expect(formatPercentTick(null, 0.01)).toBe('');
  });

  it('keeps an accuracy range within 0..100 % and pads a flat series a little', () => {
    expect(percentRange(1, 1)).toEqual([0.99, 1]);
    expect(percentRange(0.5, 0.5)).toEqual([0.49, 0.51]);
    expect(percentRange(0, 0)).toEqual([0, 0.01]);
    expect(percentRange(0.05, 0.98)).toEqual([0, 1]);
    const [lo, hi] = percentRange(0.78, 0.83);
    expect(lo).toBeCloseTo(0.77, 12);
    expect(hi).toBeCloseTo(0.84, 12);
    expect(percentRange(null, null)).toEqual([0, 1]);
  });
});

describe('y axis size', () => {
  it('grows with the longest tick label so the axis title clears it', () => {
    expect(yAxisSize(['0.00031', '0.00030', null])).toBeGreaterThanOrEqual(7 * 7 + 18);
    expect(yAxisSize(['0.000309950', '0.000309900'])).toBeGreaterThan(yAxisSize(['0.0003']));
    expect(yAxisSize([])).toBe(40);
  });
});
