import { describe, expect, it } from 'vitest';
import {
  applyYRange,
  parseYRange,
  yRangeInputText,
  yRangeText,
} from '../../src-renderer/src/lib/charts/y-range';
import {
  DEFAULT_VIEW,
  parseChartViews,
  serializeChartViews,
} from '../../src-renderer/src/lib/charts/view-options';

const linear = { log: false, percent: false };

describe('a typed y range', () => {
  it('takes either end alone, both, or neither (auto)', () => {
    expect(parseYRange('0.1', '2', linear)).toEqual({ ok: true, range: { min: 0.1, max: 2 } });
    expect(parseYRange('', ' 2 ', linear)).toEqual({ ok: true, range: { min: null, max: 2 } });
    expect(parseYRange('-1', '', linear)).toEqual({ ok: true, range: { min: -1, max: null } });
    expect(parseYRange('', '', linear)).toEqual({ ok: true, range: null });
  });

  it('refuses a minimum not below the maximum, and text that is no number', () => {
    expect(parseYRange('2', '2', linear)).toEqual({
      ok: false,
      error: 'The minimum must be below the maximum.',
    });
    expect(parseYRange('3', '1', linear).ok).toBe(false);
    expect(parseYRange('abc', '1', linear)).toEqual({ ok: false, error: 'The minimum must be a number.' });
    expect(parseYRange('0', 'Infinity', linear)).toEqual({
      ok: false,
      error: 'The maximum must be a number.',
    });
  });

  it('needs values above 0 on a log axis', () => {
    const log = { log: true, percent: false };
    expect(parseYRange('0', '10', log)).toEqual({ ok: false, error: 'A log axis needs values above 0.' });
    expect(parseYRange('', '-1', log).ok).toBe(false);
    expect(parseYRange('0.01', '10', log)).toEqual({ ok: true, range: { min: 0.01, max: 10 } });
  });

  it('is typed in percent on a percent chart and kept as fractions', () => {
    const percent = { log: false, percent: true };
    expect(parseYRange('90', '100', percent)).toEqual({ ok: true, range: { min: 0.9, max: 1 } });
    expect(yRangeInputText(0.9, true)).toBe('90');
    expect(yRangeInputText(0.1 + 0.2, false)).toBe('0.3');
    expect(yRangeInputText(null, false)).toBe('');
    expect(yRangeText({ min: 0.9, max: 1 }, true)).toBe('90 % – 100 %');
    expect(yRangeText({ min: 0.5, max: null }, false)).toBe('≥ 0.5');
    expect(yRangeText({ min: null, max: 3 }, false)).toBe('≤ 3');
  });
});

describe('applying a typed y range', () => {
  it('puts the typed ends over the chart’s own', () => {
    expect(applyYRange([0, 5], { min: 1, max: 2 }, false)).toEqual([1, 2]);
    expect(applyYRange([0, 5], { min: 1, max: null }, false)).toEqual([1, 5]);
    expect(applyYRange([0, 5], { min: null, max: 2 }, false)).toEqual([0, 2]);
  });

  it('never turns the range over when one end is typed past the other’s own', () => {
    const [lo, hi] = applyYRange([0, 5], { min: 8, max: null }, false);
    expect(lo).toBe(8);
    expect(hi).toBeGreaterThan(8);
    const [lo2, hi2] = applyYRange([3, 5], { min: null, max: 1 }, false);
    expect(hi2).toBe(1);
    expect(lo2).toBeLessThan(1);
  });

  it('falls back to the chart’s own end for values a log axis cannot show', () => {
    expect(applyYRange([0.1, 10], { min: -1, max: 5 }, true)).toEqual([0.1, 5]);
  });
});

describe('stored chart views', () => {
  it('keep log y, clipping and the typed range by chart key', () => {
    const views = new Map([
      ['run/loss', { ...DEFAULT_VIEW, yRange: { min: 0.1, max: 2 } }],
      ['compare/lr', { ...DEFAULT_VIEW, logY: true, clipOutliers: true }],
      ['run/lr', DEFAULT_VIEW],
    ]);
    const text = serializeChartViews(views);
    // Views left at the default are not stored.
    expect(JSON.parse(text)).not.toHaveProperty('run/lr');
    const back = parseChartViews(text);
    expect(back.get('run/loss')).toEqual({ logY: null, clipOutliers: false, yRange: { min: 0.1, max: 2 } });
    expect(back.get('compare/lr')).toEqual({ logY: true, clipOutliers: true, yRange: null });
  });

  it('read anything malformed as the default, never throw', () => {
    expect(parseChartViews('not json').size).toBe(0);
    expect(parseChartViews('[1]').size).toBe(0);
    const odd = parseChartViews(JSON.stringify({ a: { logY: 'yes', yRange: { min: 3, max: 1 } }, b: 7 }));
    expect(odd.get('a')).toEqual(DEFAULT_VIEW);
    expect(odd.has('b')).toBe(false);
  });
});
