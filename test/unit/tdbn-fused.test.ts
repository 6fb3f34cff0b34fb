import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { TdBatchNorm } from '../../src-main/engine/glif/tdbn';
import { Rng } from '../../src-main/engine/random';

beforeAll(async () => {
  await initBackend({ only: 'wasm' });
});

/** Output, gradients (x, weight, bias) and running statistics of one training-mode pass. */
function pass(impl: 'ops' | 'fused', x: tf.Tensor, R: tf.Tensor, alpha: number) {
  const bn = new TdBatchNorm({ channels: x.shape[x.rank - 1], alpha, impl });
  const rng = new Rng(3);
  bn.weight.assign(tf.tensor(Float32Array.from({ length: bn.weight.size }, () => 0.5 + rng.next())));
  bn.bias.assign(tf.tensor(Float32Array.from({ length: bn.bias.size }, () => rng.next() - 0.5)));
  const f = (xIn: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
    // Route the weight and bias through the arguments so the gradient reaches them.
    bn.weight.assign(w as tf.Tensor1D);
    bn.bias.assign(b as tf.Tensor1D);
    return tf.sum(tf.mul(bn.forward(xIn, { T: 1, training: true }), R));
  };
  const { value, grads } = tf.variableGrads(() => f(x, bn.weight, bn.bias) as tf.Scalar);
  const dx = tf.grad((xIn: tf.Tensor) => tf.sum(tf.mul(bn.forward(xIn, { T: 1, training: true }), R)))(x);
  const out = {
    loss: value.dataSync()[0],
    dx: Array.from(dx.dataSync()),
    dw: Array.from(grads[bn.weight.name].dataSync()),
    db: Array.from(grads[bn.bias.name].dataSync()),
    runningMean: Array.from(bn.runningMean.dataSync()),
    runningVar: Array.from(bn.runningVar.dataSync()),
  };
  tf.dispose([value, dx, ...Object.values(grads)]);
  bn.dispose();
  return out;
}

function expectClose(a: number[], b: number[], tol: number) {
  expect(a.length).toBe(b.length);
  const scale = Math.max(1, ...b.map(Math.abs));
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol * scale);
}

describe('fused tdBN against the tf-ops batch norm', () => {
  it.each([
    [[6, 5, 5, 8], 1],
    [[4, 3, 7], Math.SQRT1_2],
  ])('shape %j alpha %f: same output, gradients and running statistics', (shape, alpha) => {
    const rng = new Rng(11);
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.tensor(
      Float32Array.from({ length: size }, () => rng.normal() * 2 + 0.7),
      shape,
    );
    const R = tf.tensor(
      Float32Array.from({ length: size }, () => rng.normal()),
      shape,
    );
    const ops = pass('ops', x, R, alpha);
    const fused = pass('fused', x, R, alpha);
    expect(fused.loss).toBeCloseTo(ops.loss, 3);
    expectClose(fused.dx, ops.dx, 2e-5);
    expectClose(fused.dw, ops.dw, 2e-5);
    expectClose(fused.db, ops.db, 2e-5);
    // Two passes each (value-and-gradient, then gradient of x): the statistics moved twice.
    expectClose(fused.runningMean, ops.runningMean, 1e-6);
    expectClose(fused.runningVar, ops.runningVar, 1e-6);
    tf.dispose([x, R]);
  });
});

describe('tdBN in eval mode', () => {
  it('normalises with the running statistics: (x - mean) / sqrt(var + eps) * alpha V_bn * w + b', () => {
    const C = 6;
    const bn = new TdBatchNorm({ channels: C, alpha: Math.SQRT1_2, impl: 'fused' });
    const rng = new Rng(5);
    const fill = (v: tf.Variable, f: () => number) =>
      v.assign(tf.tensor(Float32Array.from({ length: C }, f)) as tf.Tensor1D);
    fill(bn.weight, () => 0.5 + rng.next());
    fill(bn.bias, () => rng.next() - 0.5);
    fill(bn.runningMean, () => rng.normal());
    fill(bn.runningVar, () => 0.2 + rng.next() * 3);
    const x = tf.tensor(
      Float32Array.from({ length: 4 * 3 * C }, () => rng.normal() * 2),
      [4, 3, C],
    );
    const y = tf.tidy(() => Array.from(bn.forward(x, { T: 1, training: false }).dataSync()));
    const [xs, w, b, rm, rv] = [x, bn.weight, bn.bias, bn.runningMean, bn.runningVar].map((t) =>
      t.dataSync(),
    );
    const scale = Math.SQRT1_2 * 0.5;
    const expected = Array.from(xs, (v, i) => {
      const c = i % C;
      return ((v - rm[c]) / Math.sqrt(rv[c] + 1e-5)) * scale * w[c] + b[c];
    });
    expectClose(y, expected, 1e-6);
    // Eval mode leaves the running statistics alone.
    expect(Array.from(bn.runningMean.dataSync())).toEqual(Array.from(rm));
    x.dispose();
    bn.dispose();
  });
});
