import * as tf from '@tensorflow/tfjs-core';
import { KERNEL_BUILDS, onWasmBuild } from '../helpers/kernel-builds';
import { beforeAll, describe, expect, it } from 'vitest';
import { SIMD_ENV_VAR } from '../../src-main/engine/kernels/simd/module';
import { on, relativeError, seeded, sizeOf, type Pad } from '../helpers/backend-compare';
import { initBackend } from '../../src-main/engine/backend';
import { spanAfterPadding } from '../../src-main/engine/kernels/conv2d-backprop-filter';
import { registerWasmGradientKernels, wasmGradientKernels } from '../../src-main/engine/kernels/registry';

interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const convCases: ConvCase[] = [
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [2, 7, 9, 3], filter: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { x: [3, 8, 6, 2], filter: [3, 3, 2, 5], strides: 1, pad: 'valid' },
  { x: [3, 9, 7, 2], filter: [3, 3, 2, 5], strides: 2, pad: 'valid' },
  { x: [2, 8, 8, 4], filter: [3, 3, 4, 6], strides: 2, pad: 1 },
  { x: [2, 9, 10, 3], filter: [3, 3, 3, 2], strides: 2, pad: 1 },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 2], strides: 1, pad: 1 },
  { x: [2, 8, 8, 3], filter: [1, 1, 3, 5], strides: 2, pad: 0 },
  { x: [2, 7, 8, 3], filter: [1, 1, 3, 5], strides: 1, pad: 'valid' },
  { x: [1, 6, 5, 1], filter: [3, 3, 1, 5], strides: 1, pad: 0 },
  // More positions than one chunk of the SIMD kernel's panels (128), the last chunk partial,
  // input channels not in fours, output channels in fours but not eights.
  { x: [3, 10, 9, 6], filter: [3, 3, 6, 8], strides: 1, pad: 1 },
  { x: [2, 13, 11, 5], filter: [3, 3, 5, 12], strides: 1, pad: 'same' },
  // One input channel, a 5x5 kernel (25 rows of dw, not a multiple of 4), stride 2.
  { x: [3, 12, 12, 1], filter: [5, 5, 1, 8], strides: 2, pad: 2 },
  { x: [2, 8, 8, 2], filter: [3, 3, 2, 3], strides: 2, pad: 0, dimRoundingMode: 'ceil' },
  {
    x: [2, 9, 7, 2],
    filter: [3, 3, 2, 3],
    strides: [2, 1],
    pad: [
      [0, 0],
      [1, 2],
      [2, 0],
      [0, 0],
    ],
  },
  { x: [2, 8, 8, 3], filter: [1, 3, 3, 2], strides: [1, 2], pad: 'same' },
  { x: [4, 16, 16, 8], filter: [3, 3, 8, 16], strides: 2, pad: 1 },
  // Tiles of the SIMD kernel: 4 input by 8 output channels, with remainders of each.
  { x: [2, 14, 14, 32], filter: [3, 3, 32, 64], strides: 1, pad: 1 },
  { x: [2, 9, 11, 5], filter: [3, 3, 5, 12], strides: 2, pad: 'same' },
  { x: [3, 10, 10, 1], filter: [5, 5, 1, 4], strides: 1, pad: 2 },
  { x: [1, 12, 13, 6], filter: [3, 3, 6, 20], strides: 3, pad: 'valid' },
];

function filterGradient(c: ConvCase): Float32Array {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
    const x = tf.tensor4d(seeded(sizeOf(c.x), 1), c.x);
    const dy = tf.tensor4d(seeded(sizeOf(info.outShape), 2), info.outShape);
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: 'NHWC',
      dimRoundingMode: c.dimRoundingMode,
      filterShape: c.filter,
    };
    const dw = tf
      .engine()
      .runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    expect(dw.shape).toEqual(c.filter);
    return dw.dataSync() as Float32Array;
  });
}

beforeAll(async () => {
  const report = await initBackend();
  expect(report.active).toBe('wasm');
});

describe('Identity on wasm (every tf.clone, every tensor saved for a backward pass)', () => {
  it('shares the values instead of copying them, and frees them with the last reference', async () => {
    await initBackend({ only: 'wasm' });
    const backend = tf.backend();
    const ids = backend.numDataIds();
    const x = tf.tensor([1.5, -2, 3.25, 4], [2, 2]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(backend.numDataIds()).toBe(ids + 1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2, 3.25, 4]);
    y.dispose();
    expect(backend.numDataIds()).toBe(ids);
    // Strings keep the backend's own copy.
    const s = tf.tensor(['a', 'b']);
    const t = tf.clone(s);
    s.dispose();
    expect(t.dataSync()).toEqual(['a', 'b']);
    t.dispose();
  });
});

describe('wasm gradient kernel registry', () => {
  it('registers the kernels wasm lacks, once', async () => {
    await initBackend({ only: 'wasm' });
    for (const config of wasmGradientKernels) expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
    expect(wasmGradientKernels.map((k) => k.kernelName)).toEqual([
      'Conv2DBackpropFilter',
      'UnsortedSegmentSum',
    ]);
    expect(registerWasmGradientKernels()).toEqual([]);
  });

  it('leaves the kernels wasm already has to wasm', () => {
    for (const name of ['Conv2DBackpropInput', 'AvgPoolGrad', 'MaxPoolGrad', 'Mean', 'PadV2']) {
      expect(wasmGradientKernels.some((k) => k.kernelName === name)).toBe(false);
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
    }
  });
});

describe('spanAfterPadding', () => {
  it('pads the end exactly as far as the last window reads, or crops unread rows', () => {
    // 28 rows, 3x3, stride 2, pad 1: 14 outputs read padded rows 0..28, so the end pad goes unused.
    expect(spanAfterPadding(28, 3, 14, 2, 1)).toEqual({ keep: 28, padEnd: 0 });
    // 'same' on 7 rows with stride 2 pads 1 at each end; 4 outputs read rows 0..8, both pads used.
    expect(spanAfterPadding(7, 3, 4, 2, 1)).toEqual({ keep: 7, padEnd: 1 });
    // 1x1, stride 2, no padding on 32 rows: the last row is never read.
    expect(spanAfterPadding(32, 1, 16, 2, 0)).toEqual({ keep: 31, padEnd: 0 });
    expect(spanAfterPadding(8, 3, 8, 1, 1)).toEqual({ keep: 8, padEnd: 1 });
  });
});

describe('Conv2DBackpropFilter on wasm matches the cpu backend', () => {
  for (const c of convCases) {
    const label = `x ${c.x} filter ${c.filter} strides ${c.strides} pad ${JSON.stringify(c.pad)}${c.dimRoundingMode ? ` ${c.dimRoundingMode}` : ''}`;
    it(label, async () => {
      const expected = await on('cpu', () => filterGradient(c));
      for (const build of KERNEL_BUILDS) {
        const actual = await onWasmBuild(build, () => filterGradient(c));
        expect(relativeError(expected, actual), build).toBeLessThan(1e-5);
      }
      // Output channels in fours take the SIMD kernel; the convolution path must hold as well.
      if (c.filter[3] % 4 === 0) {
        process.env[SIMD_ENV_VAR] = 'off';
        try {
          const viaConv = await on('wasm', () => filterGradient(c));
          expect(relativeError(expected, viaConv)).toBeLessThan(1e-5);
        } finally {
          delete process.env[SIMD_ENV_VAR];
        }
      }
    });
  }

  it('frees every intermediate buffer', async () => {
    await initBackend({ only: 'wasm' });
    const backend = tf.backend();
    const before = backend.numDataIds();
    const tensorsBefore = tf.memory().numTensors;
    filterGradient(convCases[5]);
    filterGradient(convCases[8]);
    expect(backend.numDataIds()).toBe(before);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('UnsortedSegmentSum on wasm matches the cpu backend', () => {
  function segmentSum(dtype: 'float32' | 'int32'): {
    values: ArrayLike<number>;
    shape: number[];
    dtype: string;
  } {
    return tf.tidy(() => {
      const raw = seeded(6 * 3 * 2, 7).map((v) => (dtype === 'int32' ? Math.round(v * 50) : v));
      const x = tf.tensor3d(raw, [6, 3, 2], dtype);
      const ids = tf.tensor1d([0, 2, 2, -1, 1, 0], 'int32');
      const out = tf.unsortedSegmentSum(x, ids, 4);
      return { values: out.dataSync(), shape: out.shape, dtype: out.dtype };
    });
  }

  for (const dtype of ['float32', 'int32'] as const) {
    it(dtype, async () => {
      const expected = await on('cpu', () => segmentSum(dtype));
      const actual = await on('wasm', () => segmentSum(dtype));
      expect(actual.shape).toEqual([4, 3, 2]);
      expect(actual.shape).toEqual(expected.shape);
      // TensorFlow keeps the input dtype; the cpu kernel promotes int32 to float32, values agree.
      expect(actual.dtype).toBe(dtype);
      expect(relativeError(expected.values, actual.values)).toBeLessThan(1e-6);
      // Segment 3 has no members and the id -1 is dropped.
      expect(Array.from(actual.values).slice(18)).toEqual([0, 0, 0, 0, 0, 0]);
    });
  }

  it('gives tf.gather a gradient on wasm', async () => {
    const gatherGrad = () =>
      tf.tidy(() => {
        const x = tf.tensor2d(seeded(5 * 3, 9), [5, 3]);
        const dy = tf.tensor2d(seeded(4 * 3, 10), [4, 3]);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, [4, 0, 4, 2]), dy)))(x);
        return g.dataSync() as Float32Array;
      });
    const expected = await on('cpu', gatherGrad);
    const actual = await on('wasm', gatherGrad);
    expect(relativeError(expected, actual)).toBeLessThan(1e-6);
  });
});

describe('full gradients of a small conv net on wasm match the cpu backend', () => {
  const shapes = {
    x: [2, 10, 10, 2],
    w1: [3, 3, 2, 4],
    w2: [3, 3, 4, 6],
    w3: [1, 1, 6, 8],
    dense: [8, 3],
  } as const;

  /** conv(pad 1) -> relu -> conv(stride 2, pad 1) -> avgPool -> pad -> conv 1x1 stride 2 -> maxPool -> mean -> gather -> dense. */
  function grads(): Float32Array[] {
    return tf.tidy(() => {
      const inputs = Object.entries(shapes).map(([, shape], i) =>
        tf.tensor(seeded(sizeOf(shape), 11 + i), [...shape]),
      );
      const loss = (x: tf.Tensor, w1: tf.Tensor, w2: tf.Tensor, w3: tf.Tensor, dense: tf.Tensor) => {
        let h = tf.relu(tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 1));
        h = tf.conv2d(h, w2 as tf.Tensor4D, 2, 1);
        h = tf.avgPool(h, 2, 1, 'same');
        h = tf.pad(h, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]);
        h = tf.conv2d(h, w3 as tf.Tensor4D, 2, 'valid');
        h = tf.maxPool(h, 2, 2, 'same');
        const features = tf.gather(tf.mean(h, [1, 2]), [1, 0, 1], 0);
        const logits = tf.matMul(features, dense as tf.Tensor2D);
        const labels = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      };
      return tf
        .grads(loss)(inputs)
        .map((g) => g.dataSync() as Float32Array);
    });
  }

  it('for the input and every weight', async () => {
    const expected = await on('cpu', grads);
    const actual = await on('wasm', grads);
    expect(actual).toHaveLength(5);
    for (let i = 0; i < expected.length; i++) {
      expect(relativeError(expected[i], actual[i]), Object.keys(shapes)[i]).toBeLessThan(1e-5);
    }
  });
});
