import * as tf from '@tensorflow/tfjs-core';
import { KERNEL_BUILDS, onWasmBuild } from '../helpers/kernel-builds';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { conv2dPlan, installFastConv2D } from '../../src-main/engine/kernels/conv2d';
import { SIMD_ENV_VAR } from '../../src-main/engine/kernels/simd/module';
import { on, relativeError, seeded, sizeOf, type Pad } from '../helpers/backend-compare';

/**
 * Conv2D on wasm: stride 1 with both channel counts in eights runs as our input-gradient kernel
 * on the rotated filter, the rest on the backend's XNNPACK kernel; both against the cpu backend's
 * reference convolution. Every case runs with the SIMD kernels on and off, so both paths are held
 * to the reference.
 */
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /**
   * Which of our kernels takes it: 3x3 stride 1 by Winograd, other stride-1 layers with channels
   * in eights and padding within the kernel by the scatter kernel, the rest XNNPACK.
   */
  ours: 'winograd' | 'scatter' | false;
}

const cases: Case[] = [
  { x: [2, 14, 14, 32], filter: [3, 3, 32, 64], strides: 1, pad: 1, ours: 'winograd' },
  { x: [2, 8, 8, 16], filter: [3, 3, 16, 8], strides: 1, pad: 'same', ours: 'winograd' },
  { x: [3, 9, 7, 8], filter: [3, 3, 8, 16], strides: 2, pad: 1, ours: false },
  { x: [2, 10, 10, 8], filter: [1, 1, 8, 24], strides: 2, pad: 0, ours: false },
  { x: [1, 11, 13, 24], filter: [5, 3, 24, 8], strides: [2, 3], pad: 'valid', ours: false },
  { x: [1, 11, 13, 24], filter: [5, 3, 24, 8], strides: 1, pad: 'valid', ours: 'scatter' },
  { x: [2, 10, 10, 8], filter: [1, 1, 8, 24], strides: 1, pad: 0, ours: 'scatter' },
  { x: [2, 6, 6, 8], filter: [3, 3, 8, 8], strides: 1, pad: 3, ours: 'winograd' },
  { x: [2, 4, 4, 64], filter: [3, 3, 64, 40], strides: 1, pad: 1, ours: 'winograd' },
  { x: [2, 9, 9, 16], filter: [3, 3, 16, 8], strides: 2, pad: 0, dimRoundingMode: 'ceil', ours: false },
  {
    x: [2, 9, 7, 8],
    filter: [3, 3, 8, 16],
    strides: 1,
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
    ours: 'winograd',
  },
  // Not ours: few input channels (a first layer), output channels not in eights.
  { x: [2, 12, 12, 1], filter: [3, 3, 1, 32], strides: 1, pad: 1, ours: false },
  { x: [2, 8, 8, 8], filter: [3, 3, 8, 12], strides: 1, pad: 1, ours: false },
];

const label = (c: Case) =>
  `x ${c.x} filter ${c.filter} strides ${c.strides} pad ${JSON.stringify(c.pad)}${c.dimRoundingMode ? ` ${c.dimRoundingMode}` : ''}`;

function forward(c: Case): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(sizeOf(c.x), 1), c.x);
    const w = tf.tensor4d(seeded(sizeOf(c.filter), 2), c.filter);
    return Float32Array.from(
      tf.conv2d(x, w, c.strides, c.pad as 'same', 'NHWC', 1, c.dimRoundingMode).dataSync(),
    );
  });
}

/** The input's and the filter's gradients of sum(conv2d(x, w) * R), as training reaches them. */
function gradients(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(sizeOf(c.x), 3), c.x);
    const w = tf.tensor4d(seeded(sizeOf(c.filter), 4), c.filter);
    const conv = (a: tf.Tensor4D, b: tf.Tensor4D) =>
      tf.conv2d(a, b, c.strides, c.pad as 'same', 'NHWC', 1, c.dimRoundingMode);
    const R = tf.tensor(seeded(sizeOf(conv(x, w).shape), 5), conv(x, w).shape);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), R)),
    )([x, w]);
    return g.map((t) => Float32Array.from(t.dataSync()));
  });
}

/** Runs `fn` with the SIMD kernels on, or off (GLIF_SIMD=off: the backend's XNNPACK kernel). */
async function withSimd<T>(on: boolean, fn: () => Promise<T>): Promise<T> {
  if (!on) process.env[SIMD_ENV_VAR] = 'off';
  try {
    return await fn();
  } finally {
    delete process.env[SIMD_ENV_VAR];
  }
}

afterEach(() => {
  delete process.env[SIMD_ENV_VAR];
});

describe('wasm Conv2D', () => {
  it('is our kernel once backend selection has run', async () => {
    await initBackend({ only: 'wasm' });
    expect((tf.getKernel(tf.Conv2D, 'wasm') as { glifFast?: boolean }).glifFast).toBe(true);
    expect(installFastConv2D()).toBe(false);
  });

  for (const c of cases) {
    it(`matches the cpu backend: ${label(c)} (${c.ours || 'XNNPACK'}; both builds, then without SIMD)`, async () => {
      const expected = await on('cpu', () => forward(c));
      for (const kernels of [...KERNEL_BUILDS, 'off'] as const) {
        const actual =
          kernels === 'off'
            ? await withSimd(false, () => on('wasm', () => forward(c)))
            : await onWasmBuild(kernels, () => forward(c));
        expect(actual.length).toBe(expected.length);
        expect(relativeError(expected, actual), `SIMD kernels: ${kernels}`).toBeLessThan(1e-5);
      }
    });
  }

  it('takes exactly the layers each of our kernels can compute', () => {
    for (const c of cases) {
      const plan = conv2dPlan(c.x, c.filter, {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        dilations: 1,
        dimRoundingMode: c.dimRoundingMode,
      });
      expect(plan?.method ?? false, label(c)).toBe(c.ours);
    }
  });

  for (const c of [cases[0], cases[2], cases[4], cases[5], cases[9]]) {
    it(`trains through it: input and filter gradients match cpu, ${label(c)}`, async () => {
      const [dx, dw] = await on('cpu', () => gradients(c));
      const [gx, gw] = await on('wasm', () => gradients(c));
      expect(relativeError(dx, gx)).toBeLessThan(1e-5);
      expect(relativeError(dw, gw)).toBeLessThan(1e-5);
    });
  }

  it('frees the packed filter and every intermediate', async () => {
    await initBackend({ only: 'wasm' });
    forward(cases[0]);
    const backend = tf.backend();
    const before = backend.numDataIds();
    const tensors = tf.memory().numTensors;
    for (const c of cases) forward(c);
    expect(backend.numDataIds()).toBe(before);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
