import { describe, expect, it } from 'vitest';
import type { AlignedColumns } from '../../src-renderer/src/lib/charts/series';
import { clippedRange } from '../../src-renderer/src/lib/charts/view-options';

describe('clipping outliers from a chart', () => {
  const steps = Array.from({ length: 200 }, (_, i) => i);
  const loss = steps.map((i) => 2 - i / 200);
  loss[50] = 40; // one diverged step

  it('ranges over the bulk of the values, not the one that diverged', () => {
    const range = clippedRange([steps, loss]);
    expect(range).not.toBeNull();
    const [lo, hi] = range!;
    expect(hi).toBeLessThan(2.2);
    expect(lo).toBeGreaterThan(0.9);
    expect(lo).toBeLessThan(1.05);
  });

  it('skips the columns it is told to, and ignores gaps', () => {
    const edge = steps.map(() => 1000);
    const withGaps = loss.map((v, i) => (i % 3 === 0 ? null : v));
    const columns: AlignedColumns = [steps, edge, withGaps];
    expect(clippedRange(columns, (i) => i === 0)![1]).toBeLessThan(2.2);
    expect(clippedRange(columns)![1]).toBeGreaterThan(900);
  });

  it('leaves a chart with too few values or one value alone', () => {
    expect(
      clippedRange([
        [1, 2, 3],
        [1, 50, 2],
      ]),
    ).toBeNull();
    expect(clippedRange([steps, steps.map(() => 0.5)])).toBeNull();
  });
});
