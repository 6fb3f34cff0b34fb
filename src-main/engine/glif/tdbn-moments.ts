/**
 * Batch statistics of tdBN from per-replica moments, with one collective instead of two.
 *
 * Each replica (or the one thread) takes two local passes over its shard: the per-channel sums,
 * then the squared deviations from a shift (its own mean, rounded as the pass uses it). Those
 * moments are then gathered from every replica and combined in rank order (Chan et al.'s
 * parallel variance), so the replicas wait for each other once per forward pass rather than once
 * for the mean and again for the variance. About a common mean mu, with d the shift and s1 the
 * plain sum of a shard of n values:
 *   sum (x - mu)^2 = sum (x - d)^2 + 2 (d - mu)(s1 - n d) + n (d - mu)^2
 * which is exact algebra in float64, so the variance is as accurate as a two-pass one.
 */

/** Every replica's packed moments in rank order (just this one's without a group). */
export type GatherMoments = (local: Float64Array) => Float64Array[];

export interface BatchMoments {
  readonly mean: Float64Array;
  /** Biased (divided by the count), as batch norm normalises with. */
  readonly variance: Float64Array;
  /** Values per channel over every shard. */
  readonly count: number;
}

/** Packs one shard's moments for the gather: sums, squared deviations, shifts (C each), count. */
export function packMoments(
  sum: ArrayLike<number>,
  squares: ArrayLike<number>,
  shift: ArrayLike<number>,
  count: number,
): Float64Array {
  const C = sum.length;
  const packed = new Float64Array(3 * C + 1);
  for (let c = 0; c < C; c++) {
    packed[c] = sum[c];
    packed[C + c] = squares[c];
    packed[2 * C + c] = shift[c];
  }
  packed[3 * C] = count;
  return packed;
}

/** Combines the gathered moments of C channels, in rank order (every replica gets the same bits). */
export function combineMoments(parts: readonly Float64Array[], C: number): BatchMoments {
  let count = 0;
  const mean = new Float64Array(C);
  for (const p of parts) {
    count += p[3 * C];
    for (let c = 0; c < C; c++) mean[c] += p[c];
  }
  for (let c = 0; c < C; c++) mean[c] /= count;
  const variance = new Float64Array(C);
  for (const p of parts) {
    const n = p[3 * C];
    for (let c = 0; c < C; c++) {
      const d = p[2 * C + c];
      const off = d - mean[c];
      variance[c] += p[C + c] + 2 * off * (p[c] - n * d) + n * off * off;
    }
  }
  for (let c = 0; c < C; c++) variance[c] /= count;
  return { mean, variance, count };
}
