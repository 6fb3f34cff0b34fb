import * as tf from '@tensorflow/tfjs-core';
import { KERNEL_BUILDS, onWasmBuild } from '../helpers/kernel-builds';
import { beforeAll, describe, expect, it } from 'vitest';
import { on, relativeError, seeded, sizeOf, type Pad } from '../helpers/backend-compare';
import { initBackend } from '../../src-main/engine/backend';
import { installFastConv2dBackpropInput } from '../../src-main/engine/kernels/conv2d-backprop-input';
import { SIMD_ENV_VAR } from '../../src-main/engine/kernels/simd/module';

/**
 * The fast paths of wasm's Conv2DBackpropInput against the cpu backend's reference kernel: our
 * SIMD kernel where the input channels come in eights; else (and with GLIF_SIMD=off) a forward
 * Conv2D of dy, spread with zeros for a strided convolution, with the rotated, in/out-swapped
 * kernel; and the fallback to wasm's own kernel for everything else.
 */

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** Whether the convolution path may take it (a forward padding the mirrored kernel can reach). */
  fast: boolean;
}

const cases: Case[] = [
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same', fast: true },
  { x: [3, 7, 9, 2], filter: [3, 3, 2, 5], strides: 1, pad: 'valid', fast: true },
  { x: [2, 6, 10, 3], filter: [3, 3, 3, 2], strides: 1, pad: 1, fast: true },
  { x: [2, 6, 5, 3], filter: [3, 3, 3, 2], strides: 1, pad: 0, fast: true },
  { x: [1, 5, 9, 4], filter: [3, 3, 4, 6], strides: 1, pad: 2, fast: true },
  { x: [2, 7, 8, 3], filter: [1, 1, 3, 5], strides: 1, pad: 'valid', fast: true },
  { x: [2, 7, 8, 3], filter: [1, 1, 3, 5], strides: 1, pad: 'same', fast: true },
  { x: [2, 5, 6, 3], filter: [1, 1, 3, 2], strides: 1, pad: 0, dimRoundingMode: 'ceil', fast: true },
  { x: [2, 9, 8, 3], filter: [3, 1, 3, 2], strides: 1, pad: 'same', fast: true },
  {
    x: [2, 9, 7, 2],
    filter: [3, 3, 2, 3],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
    fast: true,
  },
  { x: [4, 16, 16, 8], filter: [3, 3, 8, 16], strides: 1, pad: 'same', fast: true },
  // A padding wider than the kernel reaches: the mirrored padding would be negative.
  { x: [2, 8, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 3, fast: false },
  // Strided (downsampling) convolutions: dy spread with zeros, then the same forward convolution.
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same', fast: true },
  { x: [2, 9, 7, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'valid', fast: true },
  { x: [2, 9, 10, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1, fast: true },
  // 1x1 stride 2 on an even size: the last row and column are never read (zero gradient).
  { x: [2, 8, 8, 3], filter: [1, 1, 3, 5], strides: 2, pad: 0, fast: true },
  { x: [2, 8, 6, 3], filter: [3, 3, 3, 4], strides: [1, 2], pad: 'same', fast: true },
  { x: [2, 11, 9, 4], filter: [3, 3, 4, 6], strides: 3, pad: 'valid', fast: true },
  { x: [2, 16, 16, 8], filter: [3, 3, 8, 16], strides: 2, pad: 1, fast: true },
  // Tiles of the SIMD kernel: 4 columns by 8 input channels, the column remainders, row groups.
  { x: [2, 14, 14, 32], filter: [3, 3, 32, 64], strides: 1, pad: 1, fast: true },
  { x: [2, 13, 11, 16], filter: [3, 3, 16, 8], strides: 2, pad: 'same', fast: true },
  { x: [2, 8, 8, 8], filter: [3, 3, 8, 6], strides: 1, pad: 3, fast: false },
  { x: [1, 12, 10, 24], filter: [5, 5, 24, 4], strides: [2, 3], pad: 2, fast: true },
  { x: [3, 4, 4, 64], filter: [3, 3, 64, 40], strides: 1, pad: 1, fast: true },
];

/** Input channels in eights take the SIMD kernel, whatever the stride or padding. */
const simd = (c: Case) => c.x[3] % 8 === 0;

const label = (c: Case) =>
  `x ${c.x} filter ${c.filter} strides ${c.strides} pad ${JSON.stringify(c.pad)}${c.dimRoundingMode ? ` ${c.dimRoundingMode}` : ''}`;

/** dL/dx of a convolution, straight from the kernel, for a seeded dy. */
function inputGradient(c: Case): { values: Float32Array; shape: number[] } {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
    const dy = tf.tensor4d(seeded(sizeOf(info.outShape), 3), info.outShape);
    const filter = tf.tensor4d(seeded(sizeOf(c.filter), 4), c.filter);
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: 'NHWC',
      dimRoundingMode: c.dimRoundingMode,
      inputShape: c.x,
    };
    const dx = tf
      .engine()
      .runKernel(tf.Conv2DBackpropInput, { dy, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    return { values: Float32Array.from(dx.dataSync()), shape: dx.shape };
  });
}

/** The same through autodiff, as training reaches it: tf.grad of a conv2d with respect to its input. */
function gradThroughConv(c: Case): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(sizeOf(c.x), 5), c.x);
    const w = tf.tensor4d(seeded(sizeOf(c.filter), 6), c.filter);
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
    const r = tf.tensor4d(seeded(sizeOf(info.outShape), 7), info.outShape);
    const g = tf.grad((t: tf.Tensor) =>
      tf.sum(
        tf.mul(tf.conv2d(t as tf.Tensor4D, w, c.strides, c.pad as 'same', 'NHWC', 1, c.dimRoundingMode), r),
      ),
    )(x);
    return Float32Array.from(g.dataSync());
  });
}

/** Runs `fn` counting calls of wasm's forward Conv2D kernel (the fast path is built on it). */
function countingWasmConv2D<T>(fn: () => T): { result: T; calls: number } {
  const original = tf.getKernel(tf.Conv2D, 'wasm');
  if (!original) throw new Error('wasm has no Conv2D kernel');
  let calls = 0;
  tf.unregisterKernel(tf.Conv2D, 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      calls++;
      return original.kernelFunc(args);
    },
  });
  try {
    return { result: fn(), calls };
  } finally {
    tf.unregisterKernel(tf.Conv2D, 'wasm');
    tf.registerKernel(original);
  }
}

beforeAll(async () => {
  await initBackend({ only: 'wasm' });
});

describe('wasm Conv2DBackpropInput fast path', () => {
  it('is installed once by backend selection', async () => {
    await initBackend({ only: 'wasm' });
    const kernel = tf.getKernel(tf.Conv2DBackpropInput, 'wasm') as
      (tf.KernelConfig & { glifFast?: boolean }) | undefined;
    expect(kernel?.glifFast).toBe(true);
    expect(installFastConv2dBackpropInput()).toBe(false);
  });

  for (const c of cases) {
    const path = simd(c) ? 'SIMD kernel' : c.fast ? 'convolution' : 'falls back';
    it(`matches the cpu backend: ${label(c)} (${path}; both builds, then without SIMD)`, async () => {
      const expected = await on('cpu', () => inputGradient(c));
      expect(expected.shape).toEqual(c.x);
      for (const kernels of [...KERNEL_BUILDS, 'off'] as const) {
        const simdOn = kernels !== 'off';
        if (!simdOn) process.env[SIMD_ENV_VAR] = 'off';
        try {
          const count = () => countingWasmConv2D(() => inputGradient(c));
          const { result: actual, calls } = simdOn
            ? await onWasmBuild(kernels, count)
            : await on('wasm', count);
          const viaConv = c.fast && !(simdOn && simd(c));
          expect(calls, viaConv ? 'took the convolution path' : 'ran no convolution').toBe(viaConv ? 1 : 0);
          expect(actual.shape).toEqual(c.x);
          expect(relativeError(expected.values, actual.values), `SIMD kernels: ${kernels}`).toBeLessThan(
            1e-5,
          );
        } finally {
          delete process.env[SIMD_ENV_VAR];
        }
      }
    });
  }

  for (const c of [cases[0], cases[2], cases[6], cases[12], cases[14], cases[17], cases[18], cases[19]]) {
    it(`gives conv2d the same input gradient as cpu through tf.grad: ${label(c)}`, async () => {
      const expected = await on('cpu', () => gradThroughConv(c));
      const actual = await on('wasm', () => gradThroughConv(c));
      expect(relativeError(expected, actual)).toBeLessThan(1e-5);
    });
  }

  it('frees every intermediate buffer, on the fast path and on the fallback', async () => {
    await initBackend({ only: 'wasm' });
    inputGradient(cases[0]);
    inputGradient(cases[12]);
    const backend = tf.backend();
    const before = backend.numDataIds();
    const tensorsBefore = tf.memory().numTensors;
    for (const c of [cases[0], cases[5], cases[11], cases[12], cases[17], cases[19]]) inputGradient(c);
    expect(backend.numDataIds()).toBe(before);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
