import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { initBackend, type BackendName } from '../../src-main/engine/backend';
import { FUSED_GLIF_SCOPE } from '../../src-main/engine/glif/fused';
import {
  glifBackwardLoop,
  glifForwardLoop,
  stepCoefficientArrays,
} from '../../src-main/engine/glif/fused-loops';
import {
  NEURON_IMPL_ENV_VAR,
  neuronImplFromEnv,
  parseNeuronImpl,
  resolveNeuronImpl,
  type ResolvedNeuronImpl,
} from '../../src-main/engine/glif/impl';
import { glifInit } from '../../src-main/engine/glif/init';
import { GlifLayer } from '../../src-main/engine/glif/layer';
import { glifForward } from '../../src-main/engine/glif/neuron';
import { GLIF_PARAM_KEYS, type GlifParamKey, type GlifRawParams } from '../../src-main/engine/glif/params';
import { customSurrogate, rectangularSurrogate, type Surrogate } from '../../src-main/engine/glif/surrogate';
import { defaultNeuronSpec, parseVariantId, type NeuronSpec } from '../../src-main/engine/glif/variants';
import { Rng } from '../../src-main/engine/random';
import { availableBackends } from '../helpers/backends';
import { allZero, cases, expectClose, makeParams, T } from '../helpers/glif-fused-cases';

/** Backends whose tensors the fused op reads directly; both are always installed here. */
const jsBackends = (await availableBackends()).filter(
  (b): b is 'wasm' | 'cpu' => b === 'wasm' || b === 'cpu',
);

interface Outcome {
  spikes: Float32Array;
  membrane: Float32Array;
  grads: Map<string, Float32Array | undefined>;
}

/** Forward with the membrane, and the gradient of sum(S R1) + sum(u R2) for every tensor. */
function run(
  impl: ResolvedNeuronImpl,
  x: tf.Variable,
  raw: Record<GlifParamKey, tf.Variable | undefined>,
  spec: NeuronSpec,
  R1: tf.Tensor,
  R2: tf.Tensor,
  surrogate?: Surrogate,
): Outcome {
  const params = raw as unknown as GlifRawParams;
  const named = [
    ['input', x] as const,
    ...GLIF_PARAM_KEYS.flatMap((k) => (raw[k] ? [[k, raw[k]!] as const] : [])),
  ];
  let result: Outcome | undefined;
  // tidy returns nothing: it would walk typed arrays element by element looking for tensors.
  tf.tidy(() => {
    let spikes: Float32Array | undefined;
    let membrane: Float32Array | undefined;
    const { grads } = tf.variableGrads(
      () => {
        const out = glifForward(x, params, spec, { recordMembrane: true, impl, surrogate });
        spikes = Float32Array.from(out.spikes.dataSync());
        membrane = Float32Array.from(out.membrane!.dataSync());
        return tf.add(tf.sum(tf.mul(out.spikes, R1)), tf.sum(tf.mul(out.membrane!, R2))) as tf.Scalar;
      },
      named.map(([, v]) => v),
    );
    const byName = new Map<string, Float32Array | undefined>(
      named.map(([n, v]) => [n, grads[v.name] ? Float32Array.from(grads[v.name].dataSync()) : undefined]),
    );
    result = { spikes: spikes!, membrane: membrane!, grads: byName };
  });
  return result!;
}

describe.each(jsBackends)('fused GLIF against the tf-ops path on %s', (backend: BackendName) => {
  it.each(cases)('$variant layerwise=$layerwise reset=$reset shape=$shape width=$width', async (c) => {
    await initBackend({ only: backend });
    const spec: NeuronSpec = { variant: parseVariantId(c.variant), layerwise: c.layerwise, reset: c.reset };
    const rng = new Rng(17 + cases.indexOf(c));
    const P = c.shape[c.shape.length - 1];
    const size = c.shape.reduce((a, b) => a * b, 1);
    const raw = makeParams(spec, P, rng);
    const x = tf.variable(
      tf.tensor(
        Float32Array.from({ length: size }, () => rng.normal() * 0.7 + 0.35),
        c.shape,
      ),
    );
    const R1 = tf.tensor(
      Float32Array.from({ length: size }, () => rng.normal()),
      c.shape,
    );
    const R2 = tf.tensor(
      Float32Array.from({ length: size }, () => rng.normal() * 0.3),
      c.shape,
    );
    const surrogate = c.width === undefined ? undefined : rectangularSurrogate(c.width);
    try {
      const ops = run('ops', x, raw, spec, R1, R2, surrogate);
      const fused = run('fused', x, raw, spec, R1, R2, surrogate);
      // Same float32 operations in the same order: bit-identical forward.
      expect(Array.from(fused.spikes)).toEqual(Array.from(ops.spikes));
      expect(Array.from(fused.membrane)).toEqual(Array.from(ops.membrane));
      // The inference path (no custom gradient, no saved membrane): the same spikes.
      const inferred = tf.tidy(() =>
        Array.from(
          glifForward(x, raw as unknown as GlifRawParams, spec, {
            impl: 'fused',
            surrogate,
            inference: true,
          }).spikes.dataSync(),
        ),
      );
      expect(inferred).toEqual(Array.from(ops.spikes));
      const rate = ops.spikes.reduce((a, b) => a + b, 0) / size;
      expect(rate, 'a test where nothing (or everything) spikes proves little').toBeGreaterThan(0.1);
      expect(rate).toBeLessThan(0.9);
      expect([...fused.grads.keys()]).toEqual([...ops.grads.keys()]);
      for (const [name, g] of ops.grads) expectClose(name, fused.grads.get(name), g);
      if (c.variant === 'glif' || c.variant === 'glif-hard') {
        // Learnable gates do get a gradient (so the comparisons above compared something).
        for (const gate of ['alpha', 'beta', 'gamma'])
          expect(allZero(fused.grads.get(gate)), gate).toBe(false);
      }
    } finally {
      tf.dispose([x, R1, R2, ...Object.values(raw).filter((v): v is tf.Variable => v !== undefined)]);
    }
  });

  it('gives identical spikes on a layer-sized tensor (no last-bit threshold flips)', async () => {
    await initBackend({ only: backend });
    const spec = defaultNeuronSpec('glif');
    const rng = new Rng(5);
    const shape = [T, 16, 14, 14, 32];
    const size = shape.reduce((a, b) => a * b, 1);
    const raw = makeParams(spec, 32, rng) as unknown as GlifRawParams;
    const x = tf.tensor(
      Float32Array.from({ length: size }, () => rng.normal() * 0.6 + 0.4),
      shape,
    );
    const [a, b] = (['ops', 'fused'] as const).map((impl) => {
      const out = glifForward(x, raw, spec, { recordMembrane: true, impl });
      const data = [out.spikes, out.membrane!].map((t) => Float32Array.from(t.dataSync()));
      tf.dispose([out.spikes, out.membrane!]);
      return data;
    });
    let spikeDiffs = 0;
    let membraneDiffs = 0;
    for (let i = 0; i < size; i++) {
      if (a[0][i] !== b[0][i]) spikeDiffs++;
      if (a[1][i] !== b[1][i]) membraneDiffs++;
    }
    expect({ spikeDiffs, membraneDiffs }).toEqual({ spikeDiffs: 0, membraneDiffs: 0 });
    tf.dispose([x, ...Object.values(raw)]);
  });

  it.each(['ops', 'fused'] as const)(
    'runs in a GlifLayer built with %s (and only then), keeping tf.memory().numTensors flat',
    async (impl) => {
      await initBackend({ only: backend });
      // Whatever the shell exported, the layer runs what it was built with.
      process.env[NEURON_IMPL_ENV_VAR] = impl === 'fused' ? 'ops' : 'fused';
      onTestFinished(() => {
        delete process.env[NEURON_IMPL_ENV_VAR];
      });
      const layer = new GlifLayer({
        channels: 6,
        T,
        spec: defaultNeuronSpec('glif'),
        init: glifInit('cifar'),
        rng: new Rng(2),
        impl,
      });
      expect(layer.impl).toBe(impl);
      const vars = layer.parameters().map((p) => p.variable);
      const rng = new Rng(9);
      const x = tf.tensor(
        Float32Array.from({ length: T * 2 * 3 * 3 * 6 }, () => rng.normal() + 0.3),
        [T * 2, 3, 3, 6],
      );
      const R = tf.onesLike(x);
      const step = () =>
        tf.tidy(() => {
          const { grads } = tf.variableGrads(
            () => tf.sum(tf.mul(layer.forward(x, { T, training: true }), R)) as tf.Scalar,
            vars,
          );
          return Object.keys(grads).length;
        });
      const profile = await tf.profile(() => {
        step();
      });
      const kernels = profile.kernels.map((k) => k.name);
      if (impl === 'fused') expect(kernels).toContain(FUSED_GLIF_SCOPE);
      else {
        // The reference path: one Sigmoid per parameter, step by step ops, no fused kernel.
        expect(kernels).not.toContain(FUSED_GLIF_SCOPE);
        expect(kernels).toContain('Sigmoid');
      }
      expect(step()).toBe(vars.length);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 4; i++) {
        step();
        // Inference (no tape) and membrane recording too.
        tf.tidy(() => {
          layer.forward(x, { T, training: false });
          layer.forward(x, {
            T,
            training: false,
            recorder: { wantsMembrane: true, record: () => undefined },
          });
        });
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, R]);
      layer.dispose();
    },
  );

  it('refuses input whose channel axis does not match the parameters', async () => {
    await initBackend({ only: backend });
    const spec = defaultNeuronSpec('glif');
    const raw = makeParams(spec, 5, new Rng(1)) as unknown as GlifRawParams;
    const x = tf.ones([T, 2, 4]);
    expect(() => glifForward(x, raw, spec, { impl: 'fused' })).toThrow(
      /4 channels on its last axis, the parameters have 5/,
    );
    expect(() => glifForward(tf.ones([3, 2, 5]), raw, spec, { impl: 'fused' })).toThrow(/3 time steps/);
    const noGates = { ...raw, alpha: undefined };
    expect(() => glifForward(tf.ones([T, 2, 5]), noGates, spec, { impl: 'fused' })).toThrow(
      /needs the 'alpha' gate/,
    );
    tf.dispose([x, ...Object.values(raw).filter((v): v is tf.Tensor => v !== undefined)]);
  });
});

describe('choosing the neuron implementation', () => {
  it('auto: fused on wasm, cpu and webgpu, ops on native backends', () => {
    expect(resolveNeuronImpl('auto', true, 'wasm')).toBe('fused');
    expect(resolveNeuronImpl('auto', true, 'cpu')).toBe('fused');
    expect(resolveNeuronImpl('auto', true, 'webgpu')).toBe('fused');
    expect(resolveNeuronImpl('auto', true, 'tensorflow')).toBe('ops');
    expect(resolveNeuronImpl('auto', true, 'tensorflow-gpu')).toBe('ops');
    expect(resolveNeuronImpl('auto', true, 'webgl')).toBe('ops');
    // A surrogate the fused op does not know: auto falls back, an explicit request fails.
    expect(resolveNeuronImpl('auto', false, 'wasm')).toBe('ops');
    expect(() => resolveNeuronImpl('fused', false, 'wasm')).toThrow(/only the rectangular surrogate/);
    expect(resolveNeuronImpl('fused', true, 'tensorflow')).toBe('fused');
    expect(resolveNeuronImpl('ops', true, 'wasm')).toBe('ops');
  });

  it('reads GLIF_NEURON_IMPL only from the environment it is handed', () => {
    expect(neuronImplFromEnv({})).toBe('auto');
    expect(neuronImplFromEnv({ [NEURON_IMPL_ENV_VAR]: '' })).toBe('auto');
    expect(neuronImplFromEnv({ [NEURON_IMPL_ENV_VAR]: 'ops' })).toBe('ops');
    expect(neuronImplFromEnv({ [NEURON_IMPL_ENV_VAR]: 'Fused ' })).toBe('fused');
    expect(() => neuronImplFromEnv({ [NEURON_IMPL_ENV_VAR]: 'gpu' })).toThrow(
      /GLIF_NEURON_IMPL: unknown GLIF neuron implementation 'gpu'/,
    );
    expect(() => parseNeuronImpl('x', 'flag')).toThrow(/^flag: .*auto, ops, fused/);
  });

  it('runs the fused op only on the rectangle, whose width the surrogate carries', async () => {
    await initBackend({ only: 'cpu' });
    // The width travels with the surrogate, so the fused op can run the same rectangle.
    expect(rectangularSurrogate(0.5)).toMatchObject({ kind: 'rectangle', width: 0.5 });
    const custom = customSurrogate((z) => tf.cast(tf.greater(z, 0), 'float32'));
    const spec = defaultNeuronSpec('glif');
    const raw = makeParams(spec, 5, new Rng(1)) as unknown as GlifRawParams;
    const x = tf.ones([T, 2, 5]);
    expect(() => glifForward(x, raw, spec, { impl: 'fused', surrogate: custom })).toThrow(
      /only the rectangular surrogate/,
    );
    const out = glifForward(x, raw, spec, { impl: 'ops', surrogate: custom });
    expect(out.spikes.shape).toEqual([T, 2, 5]);
    tf.dispose([x, out.spikes, ...Object.values(raw).filter((v): v is tf.Tensor => v !== undefined)]);
  });
});

describe('fused loops on typed arrays', () => {
  it('match a float64 transcription of reference section 1.2 and its hand-derived BPTT', () => {
    // One neuron, T = 3, code reset, learnable gates: every term by hand.
    const [a, b, c, tau, l, v, th] = [0.3, 0.6, 0.7, 0.25, 0.0625, 0.4, 0.5].map(Math.fround);
    const g = [0.5, 0.7, 0.2].map(Math.fround);
    const x = Float32Array.from([1.2, 0.1, 0.9]);
    const k = stepCoefficientArrays({
      P: 1,
      T: 3,
      a: Float32Array.of(a),
      b: Float32Array.of(b),
      c: Float32Array.of(c),
      tau: Float32Array.of(tau),
      leak: Float32Array.of(l),
      reVth: Float32Array.of(v),
      g: Float32Array.from(g),
      theta: Float32Array.of(th),
    });
    const spikes = new Float32Array(3);
    const membrane = new Float32Array(3);
    glifForwardLoop(x, k, 'code', spikes, membrane);
    const A = 1 - a * (1 - tau);
    const K = g.map((gt) => 1 - b * (1 - gt));
    const u0 = K[0] * x[0] - (1 - a) * l;
    const s0 = u0 > th ? 1 : 0;
    const u1 = A * u0 * (1 - c * s0) - (1 - a) * l + K[1] * x[1] - (1 - c) * v * s0;
    const s1 = u1 > th ? 1 : 0;
    const u2 = A * u1 * (1 - c * s1) - (1 - a) * l + K[2] * x[2] - (1 - c) * v * s1;
    expect([s0, s1]).toEqual([1, 0]); // the case exercises a reset
    expect(Array.from(spikes)).toEqual([s0, s1, u2 > th ? 1 : 0]);
    membrane.forEach((u, i) => expect(u).toBeCloseTo([u0, u1, u2][i], 6));

    // Loss = S_2 + S_1 (upstream 1 on the last two spikes); all three u_t inside the window.
    const dx = new Float32Array(3);
    const d = glifBackwardLoop(
      { x, spikes, membrane, dSpikes: Float32Array.of(0, 1, 1) },
      k,
      'code',
      { half: 0.5, height: 1 },
      dx,
    );
    for (const u of [u0, u1, u2]) expect(Math.abs(u - th)).toBeLessThan(0.5);
    const gu2 = 1;
    const gs1 = 1 + gu2 * (-c * A * u1 - (1 - c) * v);
    const gu1 = gs1 + gu2 * A * (1 - c * s1);
    const gs0 = gu1 * (-c * A * u0 - (1 - c) * v);
    const gu0 = gs0 + gu1 * A * (1 - c * s0);
    expect(dx[2]).toBeCloseTo(gu2 * K[2], 6);
    expect(dx[1]).toBeCloseTo(gu1 * K[1], 6);
    expect(dx[0]).toBeCloseTo(gu0 * K[0], 6);
    expect(d.threshold[0]).toBeCloseTo(-(gu2 + gs1 + gs0), 6);
    expect(d.decay[0]).toBeCloseTo(gu2 * u1 * (1 - c * s1) + gu1 * u0 * (1 - c * s0), 6);
    expect(d.hard[0]).toBeCloseTo(-gu2 * A * u1 * s1 - gu1 * A * u0 * s0, 6);
    expect(d.linear[0]).toBeCloseTo(-(gu0 + gu1 + gu2), 6);
    expect(d.soft[0]).toBeCloseTo(-gu2 * s1 - gu1 * s0, 6);
    expect(Array.from(d.gain).map((v2) => +v2.toFixed(6))).toEqual(
      [gu0 * x[0], gu1 * x[1], gu2 * x[2]].map((v2) => +v2.toFixed(6)),
    );
  });
});
