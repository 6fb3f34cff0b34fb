import { describe, expect, it } from 'vitest';
import { bestTestAccuracy } from '../../src-renderer/src/lib/state/best-accuracy';

const series = (...values: number[]) => values.map((value, epoch) => ({ epoch, value }));
const none = { accuracy: null, epoch: null };

describe("the run page's best test accuracy while a run trains", () => {
  it('is the maximum over the per-epoch series, 1-based, not only the newest epoch', () => {
    // The stored best was read at epoch 1; epoch 3 beat it, epoch 4 (the newest) fell back.
    expect(bestTestAccuracy({ accuracy: 0.5, epoch: 1 }, series(0.5, 0.6, 0.8, 0.7))).toEqual({
      accuracy: 0.8,
      epoch: 3,
    });
  });

  it('lets the first epoch that reached the best win, as the store does', () => {
    expect(bestTestAccuracy(none, series(0.4, 0.7, 0.6, 0.7))).toEqual({ accuracy: 0.7, epoch: 2 });
    // A stored best at an earlier epoch than an equal live one stays.
    expect(bestTestAccuracy({ accuracy: 0.7, epoch: 2 }, [{ epoch: 4, value: 0.7 }])).toEqual({
      accuracy: 0.7,
      epoch: 2,
    });
    // ... and a series point at an earlier epoch than the stored one takes over.
    expect(bestTestAccuracy({ accuracy: 0.7, epoch: 4 }, series(0.7))).toEqual({ accuracy: 0.7, epoch: 1 });
  });

  it('keeps the stored best where the series has not (yet) reached it', () => {
    // The page's series may be downsampled or start after a resume: the stored best still counts.
    expect(bestTestAccuracy({ accuracy: 0.9, epoch: 2 }, [{ epoch: 4, value: 0.85 }])).toEqual({
      accuracy: 0.9,
      epoch: 2,
    });
    expect(bestTestAccuracy({ accuracy: 0.9, epoch: 2 }, [])).toEqual({ accuracy: 0.9, epoch: 2 });
  });

  it('ignores non-finite values and is empty before the first epoch', () => {
    expect(bestTestAccuracy(none, [])).toEqual(none);
    expect(bestTestAccuracy(none, series(Number.NaN, 0.3, Number.POSITIVE_INFINITY))).toEqual({
      accuracy: 0.3,
      epoch: 2,
    });
    expect(bestTestAccuracy(none, series(Number.NaN))).toEqual(none);
  });
});
