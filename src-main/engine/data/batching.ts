/**
 * Epoch order shared by every dataset: which sample indices go into which
 * batch. Keeping it in one place gives every format the same semantics for
 * `limit`, `shuffle` and `dropLast`, and the same consumption of the Rng.
 */
import type { BatchOptions } from './dataset';

/**
 * Validates the options and returns how many samples of a split of
 * `splitLength` one pass uses (the first `limit`, or all).
 */
export function effectiveCount(splitLength: number, opts: BatchOptions): number {
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${opts.batchSize}`);
  }
  if (opts.limit === undefined) return splitLength;
  if (!Number.isInteger(opts.limit) || opts.limit < 0) {
    throw new RangeError(`limit must be a non-negative integer, got ${opts.limit}`);
  }
  return Math.min(opts.limit, splitLength);
}

/**
 * The index groups of one pass, in order. With `shuffle`, one permutation of
 * the used samples is drawn from `opts.rng` before anything else, so the pass
 * order depends only on the Rng state at the start of the pass.
 */
export function batchIndexGroups(splitLength: number, opts: BatchOptions): Int32Array[] {
  const count = effectiveCount(splitLength, opts);
  let order: Int32Array;
  if (opts.shuffle) {
    order = opts.rng.permutation(count);
  } else {
    order = new Int32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
  }
  const groups: Int32Array[] = [];
  for (let start = 0; start < count; start += opts.batchSize) {
    const end = Math.min(start + opts.batchSize, count);
    if (end - start < opts.batchSize && opts.dropLast) break;
    groups.push(order.subarray(start, end));
  }
  return groups;
}
