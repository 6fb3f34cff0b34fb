import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { transposeCosts } from '../../src-main/engine/kernels/batch-mat-mul';
import { on, relativeError, seeded, sizeOf } from '../helpers/backend-compare';

/**
 * wasm's BatchMatMul with transposed operands (laid out plainly first, or taken as (Bᵀ·Aᵀ)ᵀ)
 * against the cpu backend's kernel, for both gradients of a linear layer, batched and broadcast
 * products, and the plain product that goes straight to the original kernel.
 */
interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const cases: Case[] = [
  // A linear layer's gradients: dx = dy·Wᵀ and dW = xᵀ·dy (the large operand transposed).
  { a: [24, 10], b: [300, 10], transposeA: false, transposeB: true },
  { a: [24, 300], b: [24, 10], transposeA: true, transposeB: false },
  { a: [7, 5], b: [9, 7], transposeA: true, transposeB: true },
  { a: [3, 6, 4], b: [3, 5, 4], transposeA: false, transposeB: true },
  { a: [3, 40, 6], b: [3, 40, 5], transposeA: true, transposeB: false },
  // Batch axes broadcast: one matrix against a batch of them, both ways round.
  { a: [1, 8, 6], b: [4, 5, 8], transposeA: true, transposeB: true },
  { a: [4, 30, 6], b: [1, 30, 2], transposeA: true, transposeB: false },
  { a: [12, 9], b: [9, 4], transposeA: false, transposeB: false },
];

function product(c: Case): Float32Array {
  return tf.tidy(() => {
    const a = tf.tensor(seeded(sizeOf(c.a), 3), c.a);
    const b = tf.tensor(seeded(sizeOf(c.b), 4), c.b);
    return tf.matMul(a, b, c.transposeA, c.transposeB).dataSync() as Float32Array;
  });
}

describe('wasm BatchMatMul with transposed operands', () => {
  it.each(cases)(
    'matches the cpu kernel for $a·$b (transposeA $transposeA, transposeB $transposeB)',
    async (c) => {
      const expected = Float32Array.from(await on('cpu', () => product(c)));
      const actual = await on('wasm', () => {
        const before = tf.memory().numTensors;
        const values = product(c);
        // Every intermediate transpose is freed.
        expect(tf.memory().numTensors).toBe(before);
        return values;
      });
      expect(relativeError(expected, actual)).toBeLessThan(1e-5);
    },
  );

  it('matches the cpu gradients of a linear layer', async () => {
    const grads = () =>
      tf.tidy(() => {
        const x = tf.tensor2d(seeded(16 * 50, 5), [16, 50]);
        const w = tf.tensor2d(seeded(50 * 7, 6), [50, 7]);
        const r = tf.tensor2d(seeded(16 * 7, 7), [16, 7]);
        const g = tf.grads((xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.mul(tf.matMul(xi, wi), r)))([x, w]);
        return g.map((t) => Float32Array.from(t.dataSync()));
      });
    const expected = await on('cpu', grads);
    const actual = await on('wasm', grads);
    expected.forEach((e, i) => expect(relativeError(e, actual[i]!)).toBeLessThan(1e-5));
  });

  it('transposes the small factor and result rather than a large transposed operand', () => {
    // dW = xᵀ·dy with x 256 x 3136 and dy 256 x 10: (dyᵀ·x)ᵀ moves 2 560 + 31 360 values, not 802 816.
    const dW = transposeCosts(
      { size: 256 * 3136, transposed: true },
      { size: 2560, transposed: false },
      31360,
    );
    expect(dW.swapped).toBeLessThan(dW.direct);
    // dx = dy·Wᵀ with W 3136 x 10: transposing W (31 360 values) beats transposing dy and the result.
    const dx = transposeCosts(
      { size: 2560, transposed: false },
      { size: 31360, transposed: true },
      256 * 3136,
    );
    expect(dx.direct).toBeLessThan(dx.swapped);
  });

  it('is the fast path registered in place of the backend kernel', async () => {
    await on('wasm', () => undefined);
    expect((tf.getKernel(tf.BatchMatMul, 'wasm') as { glifFast?: boolean }).glifFast).toBe(true);
  });
});
