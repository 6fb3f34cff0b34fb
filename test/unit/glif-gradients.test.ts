import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glifInit } from '../../src-main/engine/glif/init';
import { GlifLayer } from '../../src-main/engine/glif/layer';
import { glifForward } from '../../src-main/engine/glif/neuron';
import { defaultNeuronSpec, VARIANT_IDS, type VariantId } from '../../src-main/engine/glif/variants';
import { initBackend } from '../../src-main/engine/backend';
import { Rng } from '../../src-main/engine/random';

const T = 4;
const C = 5;
/**
 * The implementation `auto` picks on cpu, which these tests ran before it became an explicit
 * value; glif-fused.test.ts holds the ops path to this one.
 */
const impl = 'fused';

beforeAll(async () => {
  await initBackend({ only: 'cpu' });
});

function gradsOf(layer: GlifLayer, x: tf.Tensor, R: tf.Tensor, vars: tf.Variable[]) {
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(layer.forward(x, { T, training: true }), R)) as tf.Scalar,
      vars,
    );
    const out: Record<string, Float32Array | undefined> = {};
    for (const p of layer.parameters()) {
      const name = p.path.split('.').pop()!;
      out[name] = grads[p.variable.name]?.dataSync() as Float32Array | undefined;
    }
    return out;
  });
}

function inputs(seed: number) {
  const rng = new Rng(seed);
  const n = T * 3 * 2 * 2 * C;
  // Folded [T*N, H, W, C]; a large drive so every neuron spikes now and then.
  const x = tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal() * 0.8 + 0.3),
    [T * 3, 2, 2, C],
  );
  const R = tf.tensor(
    Float32Array.from({ length: n }, () => rng.normal()),
    [T * 3, 2, 2, C],
  );
  return { x, R };
}

const maxAbs = (a: Float32Array | undefined) => (a ? a.reduce((m, v) => Math.max(m, Math.abs(v)), 0) : 0);

describe.each([false, true])('GLIF layer gradients (layerwise=%s)', (layerwise) => {
  const { x, R } = inputs(3);
  afterAll(() => {
    x.dispose();
    R.dispose();
  });

  it.each(VARIANT_IDS as VariantId[])(
    '%s: every learnable parameter gets a gradient, frozen ones none',
    (id) => {
      const layer = new GlifLayer({
        channels: C,
        T,
        spec: defaultNeuronSpec(id, layerwise),
        init: glifInit('cifar'),
        rng: new Rng(7),
        impl,
      });
      const all = layer.parameters();
      // Ask for every variable, frozen ones included: frozen gates must still get nothing.
      const g = gradsOf(
        layer,
        x,
        R,
        all.map((p) => p.variable),
      );
      const trainable = Object.fromEntries(all.map((p) => [p.path, p.variable.trainable]));
      const gates = ['alpha', 'beta', 'gamma'];
      const learnableGates = id === 'glif' || id === 'glif-hard';
      for (const gate of gates) {
        if (!trainable[gate] && !(gate in trainable)) continue;
        expect(trainable[gate], gate).toBe(learnableGates);
        if (learnableGates) expect(maxAbs(g[gate]), `${gate} gradient`).toBeGreaterThan(0);
        else expect(maxAbs(g[gate]), `${gate} must receive no gradient`).toBe(0);
      }
      if (id === 'glif-f') expect(Object.keys(trainable)).not.toContain('alpha');
      expect(maxAbs(g['Vth'])).toBeGreaterThan(0);
      if (id.startsWith('simplex-')) {
        const [a, b, c] = id.slice(8).split('').map(Number);
        // Structural zeros (reference 5.1) are exact zeros, not small numbers.
        if (a === 1) expect(maxAbs(g['leak'])).toBe(0);
        else expect(maxAbs(g['tau'])).toBe(0);
        if (b === 0) expect(maxAbs(g['conduct'])).toBe(0);
        if (c === 1) expect(maxAbs(g['reVth'])).toBe(0);
        if (a === 0) expect(maxAbs(g['leak'])).toBeGreaterThan(0);
        if (b === 1) expect(maxAbs(g['conduct'])).toBeGreaterThan(0);
      } else if (id === 'glif-hard' && layerwise) {
        // One binary gate per layer: the primitive its gate switches off gets an exact zero.
        const bit = (name: string) => (all.find((p) => p.path === name)!.variable.dataSync()[0] > 0 ? 1 : 0);
        expect(maxAbs(g[bit('alpha') ? 'leak' : 'tau'])).toBe(0);
        expect(maxAbs(g[bit('alpha') ? 'tau' : 'leak'])).toBeGreaterThan(0);
      } else {
        for (const k of ['tau', 'leak', 'reVth', 'conduct']) expect(maxAbs(g[k]), k).toBeGreaterThan(0);
      }
      layer.dispose();
    },
  );

  it('keeps tf.memory().numTensors flat over repeated forward/backward calls', () => {
    const layer = new GlifLayer({
      channels: C,
      T,
      spec: defaultNeuronSpec('glif', layerwise),
      init: glifInit('cifar'),
      rng: new Rng(1),
      impl,
    });
    const vars = layer.parameters().map((p) => p.variable);
    gradsOf(layer, x, R, vars);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) gradsOf(layer, x, R, vars);
    expect(tf.memory().numTensors).toBe(before);
    layer.dispose();
  });
});

describe('reset forms', () => {
  it('the paper-figure form also removes the linear leak on a hard reset, the code form does not', () => {
    // One neuron, T=2: spike at t=0, then compare u_1 with both formulas.
    const raw = (p: number) => tf.scalar(-Math.log(1 / p - 1));
    const p = {
      alpha: raw(0.3),
      beta: raw(0.4),
      gamma: raw(0.6),
      tau: raw(0.25),
      vth: raw(0.5),
      leak: raw(0.0625),
      reVth: raw(0.5),
      conduct: tf.tensor1d([0, 0].map(() => -Math.log(1 / 0.5 - 1))),
    };
    const x = tf.tensor([[2], [0.2]]);
    const code = glifForward(
      x,
      p,
      { ...defaultNeuronSpec('glif', true), reset: 'code' },
      { recordMembrane: true, impl },
    );
    const paper = glifForward(
      x,
      p,
      { ...defaultNeuronSpec('glif', true), reset: 'paper-figure' },
      { recordMembrane: true, impl },
    );
    const [a, b, c, tau, l, v, g] = [0.3, 0.4, 0.6, 0.25, 0.0625, 0.5, 0.5];
    const A = 1 - a * (1 - tau);
    const K = 1 - b * (1 - g);
    const u0 = -(1 - a) * l + K * 2;
    expect(code.spikes.dataSync()[0]).toBe(1);
    const uCode = A * u0 * (1 - c) - (1 - a) * l + K * 0.2 - (1 - c) * v;
    const uPaper = (A * u0 - (1 - a) * l) * (1 - c) - (1 - c) * v + K * 0.2;
    expect(code.membrane!.dataSync()[1]).toBeCloseTo(uCode, 6);
    expect(paper.membrane!.dataSync()[1]).toBeCloseTo(uPaper, 6);
    // The difference is exactly (1 - a) c l S_{t-1}.
    expect(paper.membrane!.dataSync()[1] - code.membrane!.dataSync()[1]).toBeCloseTo((1 - a) * c * l, 6);
    tf.dispose([code.spikes, code.membrane!, paper.spikes, paper.membrane!, x, ...Object.values(p)]);
  });

  it('spikes strictly above threshold: u == V_th gives no spike', () => {
    const spec = defaultNeuronSpec('simplex-001', true);
    const big = Math.log(3); // logit(0.75): binary gate 1
    // alpha=0 (linear), beta=0 (plain), gamma=1; leak tiny; u_0 = x_0 - l.
    const p = {
      alpha: tf.scalar(-big),
      beta: tf.scalar(-big),
      gamma: tf.scalar(big),
      tau: tf.scalar(0),
      vth: tf.scalar(0),
      leak: tf.scalar(-30),
      reVth: tf.scalar(0),
      conduct: tf.tensor1d([0]),
    };
    const l = 1 / (1 + Math.exp(30));
    const x = tf.tensor([[0.5 + l, 0.5 + l + 1e-3]]);
    const out = glifForward(x, p, spec, { recordMembrane: true, impl });
    expect(Array.from(out.spikes.dataSync())).toEqual([0, 1]);
    tf.dispose([out.spikes, out.membrane!, x, ...Object.values(p)]);
  });
});
