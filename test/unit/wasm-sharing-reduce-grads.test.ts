import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { meanGradient, sumGradient } from '../../src-main/engine/kernels/reduce-gradients';
import { on, seeded, sizeOf } from '../helpers/backend-compare';

beforeAll(async () => {
  expect((await initBackend()).active).toBe('wasm');
});

describe('Cast on wasm (the gradient of every tf.mul casts its other input)', () => {
  it('shares the values when the dtype does not change, and frees them with the last reference', async () => {
    await initBackend({ only: 'wasm' });
    const backend = tf.backend();
    const ids = backend.numDataIds();
    const x = tf.tensor([1.5, -2.75, 3], [3]);
    const y = tf.cast(x, 'float32');
    expect(y.dataId).toBe(x.dataId);
    expect(backend.numDataIds()).toBe(ids + 1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2.75, 3]);
    y.dispose();
    expect(backend.numDataIds()).toBe(ids);
  });

  it('still converts when the dtype changes', async () => {
    await initBackend({ only: 'wasm' });
    const x = tf.tensor([1.5, -2.75, 3, 0], [4]);
    const asInt = tf.cast(x, 'int32');
    expect(asInt.dataId).not.toBe(x.dataId);
    expect(Array.from(asInt.dataSync())).toEqual([1, -2, 3, 0]);
    tf.dispose([x, asInt]);
  });
});

/**
 * The gradient of sum(reduce(x, axis) * w) with respect to x, by hand: each element of x receives
 * the weight of the output it was reduced into (divided by the count for a mean).
 */
function expectedGradient(shape: number[], axes: number[], w: Float32Array, mean: boolean): Float32Array {
  const kept = shape.map((n, a) => (axes.includes(a) ? 1 : n));
  const count = axes.reduce((n, a) => n * shape[a]!, 1);
  const out = new Float32Array(sizeOf(shape));
  const index = shape.map(() => 0);
  for (let i = 0; i < out.length; i++) {
    let o = 0;
    for (let a = 0; a < shape.length; a++) o = o * kept[a]! + (axes.includes(a) ? 0 : index[a]!);
    out[i] = mean ? w[o]! / count : w[o]!;
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++index[a]! < shape[a]!) break;
      index[a] = 0;
    }
  }
  return out;
}

const cases: { axis: number | number[] | undefined; keepDims: boolean }[] = [
  { axis: undefined, keepDims: false },
  { axis: 1, keepDims: false },
  { axis: [0, 2], keepDims: true },
  { axis: -1, keepDims: false },
  { axis: [0, 1, 2], keepDims: true },
];

describe('the gradients of Sum and Mean (ours, without tf.ones)', () => {
  it('are the ones registered', () => {
    expect(tf.getGradient(tf.Sum)).toBe(sumGradient);
    expect(tf.getGradient(tf.Mean)).toBe(meanGradient);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    for (const op of ['sum', 'mean'] as const) {
      for (const c of cases) {
        it(`${op} over ${JSON.stringify(c.axis ?? 'all')}${c.keepDims ? ', keepDims' : ''} on ${backend}`, async () => {
          const shape = [2, 3, 4];
          const axes = c.axis === undefined ? [0, 1, 2] : tf.util.parseAxisParam(c.axis, shape);
          const { grad, w } = await on(backend, () =>
            tf.tidy(() => {
              const x = tf.tensor(seeded(24, 7), shape);
              const reduce = op === 'sum' ? tf.sum : tf.mean;
              const outShape = reduce(x, c.axis, c.keepDims).shape;
              const w = tf.tensor(seeded(Math.max(1, sizeOf(outShape)), 11), outShape);
              const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(reduce(v, c.axis, c.keepDims), w)))(x);
              return { grad: g.dataSync() as Float32Array, w: w.dataSync() as Float32Array };
            }),
          );
          const expected = expectedGradient(shape, axes, w, op === 'mean');
          for (let i = 0; i < expected.length; i++) expect(grad[i]).toBeCloseTo(expected[i]!, 6);
        });
      }
    }
  }
});
