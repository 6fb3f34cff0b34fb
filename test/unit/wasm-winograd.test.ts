import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { activeWasmHeap } from '../../src-main/engine/kernels/simd/heap';
import type { SimdKernelExports } from '../../src-main/engine/kernels/simd/module';
import { winogradApplies } from '../../src-main/engine/kernels/winograd';
import { on, relativeError, seeded, sizeOf } from '../helpers/backend-compare';
import { KERNEL_BUILDS, useKernelBuild } from '../helpers/kernel-builds';

/**
 * 3x3 stride-1 convolutions by Winograd's F(4x4, 3x3) on wasm, forward and input gradient, and
 * the filter gradient by F(3x3, 4x4), against the cpu backend's direct convolution. The shapes
 * give output sizes past multiples of 4 and 2 by 1 to 3 (edge tiles with 1 to 3 rows or columns),
 * more tiles than one chunk with a partial last chunk, every padding from 0 to 2, and 512
 * channels; a counting stand-in for the kernel
 * module shows the Winograd kernels ran. Each case runs on both builds of the kernels (relaxed
 * SIMD's fused multiply-adds, and plain 128-bit SIMD).
 */
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  pad: number | 'same' | 'valid';
  /** false: forward and input gradient only (the cpu backend's filter gradient takes 20 s there). */
  filterGradient?: false;
}

/**
 * F(4x4, 3x3)'s error, as a fraction of the output's largest magnitude: its transforms' larger
 * coefficients (5, 8) cost precision. Measured against a float64 convolution at 512 channels:
 * 1.6e-5 (the cpu backend's direct sum 2.5e-6, F(2x2, 3x3) 7.7e-7); cuDNN and oneDNN use the
 * same F(4x4, 3x3) for the same speed. The filter gradient's F(3x3, 4x4) sums fewer products per
 * value here and keeps 1e-5 (3.3e-6 measured at 512 channels against a float64 sum).
 */
const F43_TOLERANCE = 5e-5;

const cases: Case[] = [
  { x: [2, 9, 7, 8], filter: [3, 3, 8, 16], pad: 'same' },
  { x: [3, 11, 10, 4], filter: [3, 3, 4, 8], pad: 'valid' },
  { x: [2, 6, 5, 16], filter: [3, 3, 16, 24], pad: 2 },
  { x: [1, 17, 15, 12], filter: [3, 3, 12, 8], pad: 1 },
  // Outputs 2 past a multiple of 4 (F(4x4, 3x3)'s edge tiles of two rows and columns), and 80
  // tiles of 4x4 outputs: three chunks of 32 (forward) or two of 64 (filter gradient), the last partial.
  { x: [4, 14, 18, 8], filter: [3, 3, 8, 16], pad: 1 },
  // The filter transform works in blocks of 32 input channels: here a full block and a partial
  // one, in the forward and (its filter rotated) in the input gradient.
  { x: [1, 6, 7, 40], filter: [3, 3, 40, 40], pad: 1 },
  // ResNet-19's widest layers: 4,608 products summed per output.
  { x: [1, 8, 8, 512], filter: [3, 3, 512, 512], pad: 1, filterGradient: false },
];

let calls = 0;
let gradientCalls = 0;
let original: SimdKernelExports | undefined;
let restoreBuild: (() => void) | undefined;

/** Swaps in a stand-in for `build`'s kernel module that counts the Winograd kernels' calls. */
function countWinogradCalls(build: (typeof KERNEL_BUILDS)[number] = 'relaxed'): void {
  restoreBuild = useKernelBuild(build);
  const heap = activeWasmHeap();
  expect(heap).toBeDefined();
  const kernels = heap!.kernels;
  original = kernels;
  calls = 0;
  gradientCalls = 0;
  const counting: SimdKernelExports = {
    ...kernels,
    winograd_conv3x3: (...args: Parameters<SimdKernelExports['winograd_conv3x3']>) => {
      calls++;
      kernels.winograd_conv3x3(...args);
    },
    winograd_filter_grad3x3: (...args: Parameters<SimdKernelExports['winograd_filter_grad3x3']>) => {
      gradientCalls++;
      kernels.winograd_filter_grad3x3(...args);
    },
  };
  (heap as unknown as { kernels: SimdKernelExports }).kernels = counting;
}

afterEach(() => {
  const heap = activeWasmHeap();
  if (heap && original) (heap as unknown as { kernels: SimdKernelExports }).kernels = original;
  original = undefined;
  restoreBuild?.();
  restoreBuild = undefined;
});

function forward(c: Case): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(sizeOf(c.x), 1), c.x);
    const w = tf.tensor4d(seeded(sizeOf(c.filter), 2), c.filter);
    return Float32Array.from(tf.conv2d(x, w, 1, c.pad).dataSync());
  });
}

function inputGradient(c: Case): Float32Array {
  return tf.tidy(() => {
    const w = tf.tensor4d(seeded(sizeOf(c.filter), 4), c.filter);
    const shape = tf.backend_util.computeConv2DInfo(c.x, c.filter, 1, 1, c.pad).outShape;
    const dy = tf.tensor4d(seeded(sizeOf(shape), 5), shape);
    return Float32Array.from(tf.conv2dTranspose(dy, w, c.x, 1, c.pad).dataSync());
  });
}

function backpropFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor,
  filterShape: [number, number, number, number],
  strides: number,
  pad: Case['pad'],
): tf.Tensor {
  const attrs = { strides, pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape };
  return tf
    .engine()
    .runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function filterGradient(c: Case): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(seeded(sizeOf(c.x), 6), c.x);
    const shape = tf.backend_util.computeConv2DInfo(c.x, c.filter, 1, 1, c.pad).outShape;
    const dy = tf.tensor4d(seeded(sizeOf(shape), 7), shape);
    return Float32Array.from(backpropFilter(x, dy, c.filter, 1, c.pad).dataSync());
  });
}

describe('Winograd F(4x4, 3x3) and F(3x3, 4x4) on wasm', () => {
  it('applies to 3x3 filters with input channels in fours and output channels in eights', () => {
    expect(winogradApplies(3, 3, 4, 8)).toBe(true);
    expect(winogradApplies(3, 3, 3, 8)).toBe(false);
    expect(winogradApplies(3, 3, 8, 12)).toBe(false);
    expect(winogradApplies(1, 1, 8, 8)).toBe(false);
    expect(winogradApplies(5, 5, 8, 8)).toBe(false);
  });

  for (const build of KERNEL_BUILDS)
    for (const c of cases) {
      it(`forward matches the cpu backend (${build}): x ${c.x}, filter ${c.filter}, pad ${c.pad}`, async () => {
        const expected = await on('cpu', () => forward(c));
        await initBackend({ only: 'wasm' });
        countWinogradCalls(build);
        const actual = forward(c);
        expect(calls).toBe(1);
        expect(relativeError(expected, actual)).toBeLessThan(F43_TOLERANCE);
      });

      it(`input gradient matches the cpu backend (${build}): x ${c.x}, filter ${c.filter}, pad ${c.pad}`, async () => {
        const expected = await on('cpu', () => inputGradient(c));
        await initBackend({ only: 'wasm' });
        // The input gradient's convolution has the filter's channels swapped: it takes the
        // Winograd path when the forward's output channels come in fours and its input in eights.
        const viaWinograd = winogradApplies(3, 3, c.filter[3], c.filter[2]);
        countWinogradCalls(build);
        const actual = inputGradient(c);
        expect(calls).toBe(viaWinograd ? 1 : 0);
        expect(relativeError(expected, actual)).toBeLessThan(F43_TOLERANCE);
      });

      if (c.filterGradient === false) continue;
      it(`filter gradient matches the cpu backend (${build}): x ${c.x}, filter ${c.filter}, pad ${c.pad}`, async () => {
        const expected = await on('cpu', () => filterGradient(c));
        await initBackend({ only: 'wasm' });
        countWinogradCalls(build);
        const actual = filterGradient(c);
        expect(gradientCalls).toBe(1);
        expect(relativeError(expected, actual)).toBeLessThan(1e-5);
      });
    }

  it('the filter gradient of a stride-2 or 1x1 convolution takes the direct kernel', async () => {
    await initBackend({ only: 'wasm' });
    countWinogradCalls();
    tf.tidy(() => {
      const x = tf.tensor4d(seeded(2 * 8 * 8 * 8, 8), [2, 8, 8, 8]);
      backpropFilter(x, tf.ones([2, 4, 4, 16]), [3, 3, 8, 16], 2, 'same').dataSync();
      backpropFilter(x, tf.ones([2, 8, 8, 16]), [1, 1, 8, 16], 1, 'same').dataSync();
    });
    expect(gradientCalls).toBe(0);
  });

  it('frees its scratch space and leaves no tensor behind', async () => {
    await initBackend({ only: 'wasm' });
    forward(cases[0]!);
    inputGradient(cases[0]!);
    filterGradient(cases[0]!);
    const backend = tf.backend();
    const ids = backend.numDataIds();
    const tensors = tf.memory().numTensors;
    const heapBytes = (backend as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
    for (let i = 0; i < 5; i++) {
      for (const c of cases.filter((c) => c.filterGradient !== false)) {
        forward(c);
        inputGradient(c);
        filterGradient(c);
      }
    }
    expect(backend.numDataIds()).toBe(ids);
    expect(tf.memory().numTensors).toBe(tensors);
    expect((backend as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length).toBe(heapBytes);
  });
});
