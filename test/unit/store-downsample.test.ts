import { describe, expect, it } from 'vitest';
import { downsampleLttb, downsampleStride, type MetricPoint } from '../../src-main/runs/store';

function series(values: number[]): MetricPoint[] {
  return values.map((value, step) => ({ step, epoch: 0, value }));
}

describe('downsampleStride', () => {
  it('returns short series unchanged (as a copy)', () => {
    const s = series([1, 2, 3]);
    const out = downsampleStride(s, 3);
    expect(out).toEqual(s);
    expect(out).not.toBe(s);
  });

  it('takes evenly spaced points, the last always included, never more than asked', () => {
    for (const n of [10, 11, 97, 1000]) {
      for (const max of [1, 2, 4, 7, 9]) {
        const out = downsampleStride(series(Array.from({ length: n }, (_, i) => i)), max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out[out.length - 1].step).toBe(n - 1);
        if (max >= 2) expect(out[0].step).toBe(0);
      }
    }
    expect(downsampleStride(series([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 4).map((p) => p.step)).toEqual([
      0, 3, 6, 9,
    ]);
    expect(downsampleStride(series([1, 2]), 0)).toEqual([]);
  });
});

describe('downsampleLttb', () => {
  it('keeps first and last points and returns exactly maxPoints for long series', () => {
    const s = series(Array.from({ length: 1000 }, (_, i) => Math.sin(i / 20)));
    const out = downsampleLttb(s, 50);
    expect(out).toHaveLength(50);
    expect(out[0]).toBe(s[0]);
    expect(out[49]).toBe(s[999]);
    const steps = out.map((p) => p.step);
    expect(new Set(steps).size).toBe(50);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
  });

  it('keeps an isolated spike that a stride skips', () => {
    const values = Array.from({ length: 1001 }, () => 1);
    values[501] = 100;
    const s = series(values);
    expect(downsampleLttb(s, 20).some((p) => p.value === 100)).toBe(true);
    expect(downsampleStride(s, 20).some((p) => p.value === 100)).toBe(false);
  });

  it('picks the extreme of each bucket on a zig-zag', () => {
    // Alternating 0/1: every bucket holds both, and the triangle criterion prefers alternating extremes.
    const s = series(Array.from({ length: 400 }, (_, i) => i % 2));
    const out = downsampleLttb(s, 40);
    const inner = out.slice(1, -1).map((p) => p.value);
    expect(inner.filter((v) => v === 1).length).toBeGreaterThan(10);
    expect(inner.filter((v) => v === 0).length).toBeGreaterThan(10);
  });

  it('copes with NaN values and tiny budgets', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i >= 40 && i < 60 ? Number.NaN : i));
    const out = downsampleLttb(series(values), 10);
    expect(out).toHaveLength(10);
    expect(out.filter((p) => !Number.isNaN(p.value)).length).toBeGreaterThanOrEqual(7);
    expect(downsampleLttb(series(values), 2).map((p) => p.step)).toEqual([0, 99]);
    expect(downsampleLttb(series([5]), 3)).toEqual(series([5]));
  });
});
