import { describe, expect, it } from 'vitest';
import { combineMoments, packMoments } from '../../src-main/engine/glif/tdbn-moments';
import { Rng } from '../../src-main/engine/random';

/** Per-channel mean and biased variance of rows x C values, two passes in float64. */
function twoPass(x: Float64Array, C: number): { mean: number[]; variance: number[] } {
  const rows = x.length / C;
  const mean = Array.from({ length: C }, (_, c) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * C + c];
    return s / rows;
  });
  const variance = mean.map((m, c) => {
    let s = 0;
    for (let r = 0; r < rows; r++) s += (x[r * C + c] - m) ** 2;
    return s / rows;
  });
  return { mean, variance };
}

/** One shard's moments about `shiftOf` its own mean, as the kernels take them. */
function shardMoments(x: Float64Array, C: number, shiftOf: (mean: number) => number): Float64Array {
  const rows = x.length / C;
  const sum = new Float64Array(C);
  for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) sum[c] += x[r * C + c];
  const shift = Array.from(sum, (s) => shiftOf(s / rows));
  const squares = new Float64Array(C);
  for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) squares[c] += (x[r * C + c] - shift[c]) ** 2;
  return packMoments(sum, squares, shift, rows);
}

describe('tdBN moments combined across shards', () => {
  const C = 3;
  // Channel 2 has a mean 10^4 times its spread: a sum-of-squares formula would lose it to cancellation.
  const offsets = [0, -2.5, 1000];
  const spreads = [1, 0.3, 0.1];
  const rng = new Rng(11);
  const rows = 37;
  const x = Float64Array.from(
    { length: rows * C },
    (_, i) => offsets[i % C] + spreads[i % C] * (rng.next() - 0.5),
  );
  const whole = twoPass(x, C);

  it.each([
    ['one shard', [37]],
    ['two uneven shards', [20, 17]],
    ['four shards, one of a single row', [1, 12, 12, 12]],
  ])('%s give the whole batch two-pass mean and variance', (_, sizes) => {
    // About each shard's own mean (exact or rounded to float32, as the SIMD kernels take it) the
    // variance is as good as two passes; about a distant shift it is still combined correctly,
    // with the cancellation a one-pass formula would have.
    const shifts: Array<[(mean: number) => number, number]> = [
      [(m) => m, 1e-9],
      [Math.fround, 1e-9],
      [() => 0.5, 1e-6],
    ];
    for (const [shiftOf, tolerance] of shifts) {
      const parts: Float64Array[] = [];
      let start = 0;
      for (const n of sizes) {
        parts.push(shardMoments(x.subarray(start * C, (start + n) * C), C, shiftOf));
        start += n;
      }
      const m = combineMoments(parts, C);
      expect(m.count).toBe(rows);
      for (let c = 0; c < C; c++) {
        expect(Math.abs(m.mean[c] - whole.mean[c])).toBeLessThan(
          1e-12 * Math.max(1, Math.abs(whole.mean[c])),
        );
        expect(Math.abs(m.variance[c] / whole.variance[c] - 1)).toBeLessThan(tolerance);
      }
    }
  });
});
