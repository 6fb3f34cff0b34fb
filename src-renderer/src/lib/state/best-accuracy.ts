/**
 * A run's best test accuracy over its epochs and the epoch (1-based) that first reached it, as the
 * store computes it (runs/store/rows.ts) and the paper reports a run. While a run trains the page
 * has the stored best (read when it opened) and the per-epoch series (stored points, then live
 * ones): the best is the maximum over both. Pure, for unit tests.
 */

export interface BestAccuracy {
  readonly accuracy: number | null;
  /** 1-based. */
  readonly epoch: number | null;
}

/** One point of the per-epoch test-accuracy series; `epoch` is 0-based, as recorded. */
export interface EpochPoint {
  readonly epoch: number;
  readonly value: number;
}

/**
 * The stored best merged with the maximum of the per-epoch series. Non-finite values never win;
 * on equal accuracies the earlier epoch does (the store's convention), whichever side it is on.
 */
export function bestTestAccuracy(stored: BestAccuracy, series: readonly EpochPoint[]): BestAccuracy {
  let best: BestAccuracy =
    stored.accuracy !== null && Number.isFinite(stored.accuracy) && stored.epoch !== null
      ? stored
      : { accuracy: null, epoch: null };
  for (const point of series) {
    if (!Number.isFinite(point.value)) continue;
    const epoch = point.epoch + 1;
    const current = best.accuracy;
    if (
      current === null ||
      point.value > current ||
      (point.value === current && best.epoch !== null && epoch < best.epoch)
    )
      best = { accuracy: point.value, epoch };
  }
  return best;
}
