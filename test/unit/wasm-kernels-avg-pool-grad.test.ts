import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { SIMD_ENV_VAR } from '../../src-main/engine/kernels/simd/module';
import { on, relativeError, seeded, sizeOf } from '../helpers/backend-compare';

/**
 * The tiled fast path of wasm's AvgPoolGrad (a SIMD kernel for channels in fours, else a JS loop) (filter = stride, no padding) and its fallback to
 * wasm's own kernel for overlapping or padded windows, against the cpu backend's kernel.
 */
interface Case {
  x: [number, number, number, number];
  filter: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
}

const cases: Case[] = [
  { x: [3, 28, 28, 32], filter: 2, strides: 2, pad: 'valid' },
  { x: [2, 12, 9, 5], filter: [2, 3], strides: [2, 3], pad: 'valid' },
  { x: [2, 12, 9, 8], filter: [2, 3], strides: [2, 3], pad: 'valid' },
  { x: [2, 8, 8, 3], filter: 4, strides: 4, pad: 0 },
  // Not tiled: overlapping windows, padding, and a size the windows do not divide.
  { x: [2, 9, 9, 4], filter: 3, strides: 2, pad: 'same' },
  { x: [2, 7, 7, 2], filter: 2, strides: 2, pad: 'valid' },
  { x: [1, 6, 6, 3], filter: 3, strides: 1, pad: 1 },
];

function poolGradient(c: Case): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(sizeOf(c.x), 1), c.x);
    const outShape = tf.avgPool(x, c.filter, c.strides, c.pad).shape;
    const R = tf.tensor(seeded(sizeOf(outShape), 2), outShape);
    const dx = tf.grad((input: tf.Tensor) =>
      tf.sum(tf.mul(tf.avgPool(input as tf.Tensor4D, c.filter, c.strides, c.pad), R)),
    )(x);
    return dx.dataSync() as Float32Array;
  });
}

describe('wasm AvgPoolGrad', () => {
  it.each(cases)('matches the cpu kernel for x $x filter $filter strides $strides pad $pad', async (c) => {
    const expected = Float32Array.from(await on('cpu', () => poolGradient(c)));
    const actual = await on('wasm', () => poolGradient(c));
    expect(relativeError(expected, actual)).toBeLessThan(1e-6);
    // Channels in fours take the SIMD kernel; the JS loop must hold as well.
    process.env[SIMD_ENV_VAR] = 'off';
    try {
      const viaLoop = await on('wasm', () => poolGradient(c));
      expect(relativeError(expected, viaLoop)).toBeLessThan(1e-6);
    } finally {
      delete process.env[SIMD_ENV_VAR];
    }
  });

  it('is the fast path registered in place of the backend kernel', async () => {
    await on('wasm', () => undefined);
    expect((tf.getKernel(tf.AvgPoolGrad, 'wasm') as { glifFast?: boolean }).glifFast).toBe(true);
  });
});
