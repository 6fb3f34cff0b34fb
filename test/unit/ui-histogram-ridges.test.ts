import { describe, expect, it } from 'vitest';
import type { DistributionEntry } from '../../src-renderer/src/lib/charts/distributions';
import { MAX_RIDGES, ridgeLayout, sampleIndices } from '../../src-renderer/src/lib/charts/histogram-ridges';

function entry(epoch: number, lo: number, hi: number, counts: number[]): DistributionEntry {
  return {
    epoch,
    layer: 'features.1',
    quantity: 'alpha',
    stats: { count: 0, mean: 0, std: 0, min: lo, max: hi, p05: 0, p25: 0, p50: 0, p75: 0, p95: 0 },
    histogram: { lo, hi, counts },
  } as DistributionEntry;
}

describe('histograms over epochs as ridges', () => {
  it('draws one ridge per epoch, oldest at the back (top), on one x range', () => {
    const layout = ridgeLayout(
      [entry(1, 0.4, 0.6, [0, 4, 4, 0]), entry(0, 0.45, 0.55, [1, 2, 1])],
      400,
      200,
    )!;
    expect(layout.ridges.map((r) => r.epoch)).toEqual([0, 1]);
    expect(layout.ridges[0]!.baseline).toBeLessThan(layout.ridges[1]!.baseline);
    expect(layout.ridges[1]!.baseline).toBe(200);
    // The shared range spans the non-empty bins of every epoch: 0.45..0.55 and 0.45..0.55.
    expect(layout.xMin).toBeCloseTo(0.45);
    expect(layout.xMax).toBeCloseTo(0.55);
    expect(layout.xOf(layout.xMax)).toBeCloseTo(400);
    for (const r of layout.ridges) expect(r.path).toMatch(/^M[\d.]+,[\d.]+(H[\d.]+|V[\d.]+)+Z$/);
  });

  it('scales every ridge by the tallest density, so heights compare across epochs', () => {
    const flat = entry(0, 0, 1, [1, 1, 1, 1]);
    const peaked = entry(1, 0, 1, [0, 4, 0, 0]);
    const layout = ridgeLayout([flat, peaked], 100, 100, 0.5)!;
    const highest = (path: string, baseline: number) =>
      Math.max(...[...path.matchAll(/V([\d.]+)/g)].map((m) => baseline - Number(m[1])));
    const [a, b] = layout.ridges;
    expect(highest(b!.path, b!.baseline)).toBeCloseTo(50, 0);
    expect(highest(a!.path, a!.baseline)).toBeCloseTo(50 / 4, 0);
  });

  it('samples long runs down to a few dozen ridges, keeping the first and last epoch', () => {
    const many = Array.from({ length: 200 }, (_, e) => entry(e, 0, 1, [1, 2, 3]));
    const layout = ridgeLayout(many, 300, 300)!;
    expect(layout.ridges.length).toBeLessThanOrEqual(MAX_RIDGES);
    expect(layout.ridges[0]!.epoch).toBe(0);
    expect(layout.ridges.at(-1)!.epoch).toBe(199);
    expect(sampleIndices(5, 40)).toEqual([0, 1, 2, 3, 4]);
  });

  it('has nothing to draw without a non-empty histogram or with a single value', () => {
    expect(ridgeLayout([], 100, 100)).toBeNull();
    expect(ridgeLayout([entry(0, 0, 1, [0, 0])], 100, 100)).toBeNull();
    expect(ridgeLayout([entry(0, 0.5, 0.5, [3])], 100, 100)).toBeNull();
  });
});
