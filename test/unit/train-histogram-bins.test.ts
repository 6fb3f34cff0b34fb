import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { glifInit } from '../../src-main/engine/glif/init';
import { GlifLayer } from '../../src-main/engine/glif/layer';
import { defaultNeuronSpec } from '../../src-main/engine/glif/variants';
import { Rng } from '../../src-main/engine/random';
import {
  chooseBins,
  MAX_BINS,
  MIN_BINS,
  nextRoundWidth,
  roundWidthAtMost,
} from '../../src-main/engine/train/bins';
import { layerDistributions } from '../../src-main/engine/train/distributions';
import { histogram } from '../../src-main/engine/train/stats';

const nonEmpty = (counts: readonly number[]) => counts.filter((c) => c > 0).length;
const sum = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);

/** Is `v` a whole multiple of `w` (up to float rounding)? */
const onGrid = (v: number, w: number) => Math.abs(v / w - Math.round(v / w)) < 1e-6;

describe('histogram bins chosen from the data', () => {
  it('spreads gates living in (0.475, 0.525) over many bins, not two', () => {
    const rng = new Rng(11);
    const gates = Array.from({ length: 64 }, () => 0.475 + 0.05 * rng.next());
    const h = histogram(gates);
    expect(sum(h.counts)).toBe(64);
    expect(nonEmpty(h.counts)).toBeGreaterThanOrEqual(8);
    // The range hugs the data: no bins over the empty rest of [0, 1].
    expect(h.lo).toBeGreaterThanOrEqual(0.47);
    expect(h.hi).toBeLessThanOrEqual(0.53);
    expect(h.lo).toBeLessThanOrEqual(Math.min(...gates));
    expect(h.hi).toBeGreaterThanOrEqual(Math.max(...gates));
  });

  it('covers values outside [0, 1] with round edges and a bounded bin count', () => {
    const values = [2.13, 2.5, 3.9, 4.4, 5.05, 6.2, 6.97, 3.3, 4.1, 5.5];
    const { lo, hi, bins } = chooseBins(values);
    expect(lo).toBeLessThanOrEqual(2.13);
    expect(hi).toBeGreaterThanOrEqual(6.97);
    const width = (hi - lo) / bins;
    // Padded only to the next round edge: less than one bin on either side.
    expect(2.13 - lo).toBeLessThan(width);
    expect(hi - 6.97).toBeLessThanOrEqual(width);
    expect(onGrid(lo, width)).toBe(true);
    expect([1, 2, 2.5, 5]).toContain(Number((width / 10 ** Math.floor(Math.log10(width))).toFixed(6)));
    expect(bins).toBeGreaterThanOrEqual(MIN_BINS);
    expect(bins).toBeLessThanOrEqual(2 * MAX_BINS + 2);
    const h = histogram(values);
    expect(sum(h.counts)).toBe(values.length);
    expect(h.counts).toHaveLength(bins);
  });

  it('writes edges without float noise', () => {
    const { lo, hi } = chooseBins([0.4751, 0.49, 0.5, 0.51, 0.5249]);
    expect(String(lo)).toMatch(/^0\.\d{1,4}$/);
    expect(String(hi)).toMatch(/^0\.\d{1,4}$/);
  });

  it('gives one zero-width bin when every value is equal', () => {
    expect(histogram(new Float32Array(16).fill(0.5))).toEqual({ lo: 0.5, hi: 0.5, counts: [16] });
    expect(histogram([3])).toEqual({ lo: 3, hi: 3, counts: [1] });
  });

  it('leaves NaN and infinities out of the range and the counts', () => {
    const h = histogram([0.2, NaN, 0.4, Infinity, 0.3, -Infinity]);
    expect(sum(h.counts)).toBe(3);
    expect(h.lo).toBeLessThanOrEqual(0.2);
    expect(h.hi).toBeGreaterThanOrEqual(0.4);
    expect(h.hi).toBeLessThan(0.5);
    expect(histogram([NaN, NaN])).toEqual({ lo: 0, hi: 0, counts: [] });
  });

  it('counts the max in the closed last bin', () => {
    const h = histogram([0, 0.25, 0.5, 0.75, 1]);
    expect(sum(h.counts)).toBe(5);
    expect(h.counts[h.counts.length - 1]).toBeGreaterThan(0);
  });

  it('rounds a width down to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(roundWidthAtMost(0.0049)).toBeCloseTo(0.0025, 12);
    expect(roundWidthAtMost(0.005)).toBeCloseTo(0.005, 12);
    expect(roundWidthAtMost(0.19)).toBeCloseTo(0.1, 12);
    expect(roundWidthAtMost(0.21)).toBeCloseTo(0.2, 12);
    expect(roundWidthAtMost(7)).toBe(5);
    expect(nextRoundWidth(0.0025)).toBeCloseTo(0.005, 12);
    expect(nextRoundWidth(0.005)).toBeCloseTo(0.01, 12);
    expect(nextRoundWidth(0.02)).toBeCloseTo(0.025, 12);
    expect(nextRoundWidth(1)).toBe(2);
  });

  it('aims at a count near the target rather than doubling it by rounding the width down', () => {
    // 32 gates over 0.046: a width of 0.0046 rounds down to 0.0025 (19 bins) or up to 0.005 (10).
    const gates = Array.from({ length: 32 }, (_, i) => 0.477 + (0.046 * i) / 31);
    const { lo, hi, bins } = chooseBins(gates);
    expect(bins).toBeGreaterThanOrEqual(MIN_BINS);
    expect(bins).toBeLessThanOrEqual(12);
    expect((hi - lo) / bins).toBeCloseTo(0.005, 12);
  });
});

describe('recorded layer distributions', () => {
  beforeAll(async () => {
    await initBackend({ only: 'cpu' });
  });

  it("spread a GLIF layer's freshly initialised gates (the code's range) over many bins", async () => {
    const layer = new GlifLayer({
      channels: 64,
      T: 2,
      spec: defaultNeuronSpec('glif'),
      init: glifInit('cifar', 'code'),
      rng: new Rng(5),
      impl: 'fused',
    });
    const dists = await layerDistributions(layer);
    for (const q of ['alpha', 'beta', 'gamma'] as const) {
      const d = dists.find((x) => x.quantity === q)!;
      expect(d.stats.min).toBeGreaterThan(0.475);
      expect(d.stats.max).toBeLessThan(0.525);
      expect(nonEmpty(d.histogram.counts), q).toBeGreaterThanOrEqual(8);
      expect(sum(d.histogram.counts)).toBe(64);
    }
    // Primitives start equal on every channel: one zero-width bin at their value.
    const vth = dists.find((x) => x.quantity === 'v_th')!;
    expect(vth.histogram.lo).toBe(vth.histogram.hi);
    expect(vth.histogram.counts).toEqual([64]);
  });
});
