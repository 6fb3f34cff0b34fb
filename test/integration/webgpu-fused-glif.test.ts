/**
 * The fused GLIF op's WGSL kernels (engine/webgpu/glif-programs.ts) against the tf-ops neuron on
 * the same webgpu backend: spikes and membranes bit-identical, gradients within the fixtures'
 * tolerance, for every variant, both resets, channel- and layer-wise. Here Dawn's adapter is
 * Mesa's software Vulkan (lavapipe, installed by scripts/setup.sh); where Dawn finds none, the
 * tests are reported as skipped with the reason in their name.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { FUSED_GLIF_SCOPE } from '../../src-main/engine/glif/fused';
import { type ResolvedNeuronImpl } from '../../src-main/engine/glif/impl';
import { glifInit } from '../../src-main/engine/glif/init';
import { GlifLayer } from '../../src-main/engine/glif/layer';
import { glifForward } from '../../src-main/engine/glif/neuron';
import { GLIF_PARAM_KEYS, type GlifParamKey, type GlifRawParams } from '../../src-main/engine/glif/params';
import { rectangularSurrogate, type Surrogate } from '../../src-main/engine/glif/surrogate';
import { defaultNeuronSpec, parseVariantId, type NeuronSpec } from '../../src-main/engine/glif/variants';
import { describeAdapter, probeWebGpu } from '../../src-main/engine/webgpu/adapters';
import { Rng } from '../../src-main/engine/random';
import { allZero, cases, expectClose, makeParams, T } from '../helpers/glif-fused-cases';

const probe = await probeWebGpu();
const WHERE = probe.ok
  ? `(on ${describeAdapter(probe.adapters[0])})`
  : `(runs only where Dawn finds a WebGPU adapter; not run here: ${probe.reason})`;

interface Outcome {
  spikes: Float32Array;
  membrane: Float32Array;
  grads: Map<string, Float32Array | undefined>;
}

/**
 * Forward with the membrane and the gradient of sum(S R1) + sum(u R2) for every tensor, read
 * asynchronously: webgpu in Node has no synchronous read-back.
 */
async function run(
  impl: ResolvedNeuronImpl,
  x: tf.Variable,
  raw: Record<GlifParamKey, tf.Variable | undefined>,
  spec: NeuronSpec,
  R1: tf.Tensor,
  R2: tf.Tensor,
  surrogate?: Surrogate,
): Promise<Outcome> {
  const named = [
    ['input', x] as const,
    ...GLIF_PARAM_KEYS.flatMap((k) => {
      const v = raw[k];
      return v ? [[k, v] as const] : [];
    }),
  ];
  const kept: tf.Tensor[] = [];
  const { grads } = tf.variableGrads(
    () => {
      const out = glifForward(x, raw as unknown as GlifRawParams, spec, {
        recordMembrane: true,
        impl,
        surrogate,
      });
      const membrane = out.membrane ?? tf.zerosLike(out.spikes);
      kept.push(tf.keep(out.spikes), tf.keep(membrane));
      return tf.add(tf.sum(tf.mul(out.spikes, R1)), tf.sum(tf.mul(membrane, R2))) as tf.Scalar;
    },
    named.map(([, v]) => v),
  );
  const read = async (t: tf.Tensor) => Float32Array.from(await t.data());
  const [spikes, membrane] = [await read(kept[0]), await read(kept[1])];
  const byName = new Map<string, Float32Array | undefined>();
  for (const [n, v] of named) byName.set(n, grads[v.name] ? await read(grads[v.name]) : undefined);
  tf.dispose([...kept, ...Object.values(grads)]);
  return { spikes, membrane, grads: byName };
}

const disposeAll = (raw: Record<GlifParamKey, tf.Variable | undefined>) =>
  tf.dispose(Object.values(raw).filter((v): v is tf.Variable => v !== undefined));

describe(`fused GLIF kernels on webgpu against the tf-ops path ${WHERE}`, () => {
  beforeAll(async () => {
    if (probe.ok) await initBackend({ only: 'webgpu' });
  });
  afterAll(async () => {
    if (probe.ok) await initBackend({ only: 'cpu' });
  });

  it.runIf(probe.ok).each(cases)(
    '$variant layerwise=$layerwise reset=$reset shape=$shape width=$width',
    async (c) => {
      expect(tf.getBackend()).toBe('webgpu');
      const spec: NeuronSpec = { variant: parseVariantId(c.variant), layerwise: c.layerwise, reset: c.reset };
      const rng = new Rng(17 + cases.indexOf(c));
      const P = c.shape[c.shape.length - 1];
      const size = c.shape.reduce((a, b) => a * b, 1);
      const raw = makeParams(spec, P, rng);
      const random = (scale: number, shift = 0) =>
        tf.tensor(
          Float32Array.from({ length: size }, () => rng.normal() * scale + shift),
          c.shape,
        );
      const x = tf.variable(random(0.7, 0.35));
      const [R1, R2] = [random(1), random(0.3)];
      const surrogate = c.width === undefined ? undefined : rectangularSurrogate(c.width);
      try {
        const ops = await run('ops', x, raw, spec, R1, R2, surrogate);
        const fused = await run('fused', x, raw, spec, R1, R2, surrogate);
        expect(Array.from(fused.spikes)).toEqual(Array.from(ops.spikes));
        expect(Array.from(fused.membrane)).toEqual(Array.from(ops.membrane));
        const inferred = tf.tidy(
          () =>
            glifForward(x, raw as unknown as GlifRawParams, spec, {
              impl: 'fused',
              surrogate,
              inference: true,
            }).spikes,
        );
        expect(Array.from(await inferred.data())).toEqual(Array.from(ops.spikes));
        inferred.dispose();
        const rate = ops.spikes.reduce((a, b) => a + b, 0) / size;
        expect(rate, 'a test where nothing (or everything) spikes proves little').toBeGreaterThan(0.1);
        expect(rate).toBeLessThan(0.9);
        expect([...fused.grads.keys()]).toEqual([...ops.grads.keys()]);
        for (const [name, g] of ops.grads) expectClose(name, fused.grads.get(name), g);
        if (c.variant === 'glif' || c.variant === 'glif-hard') {
          for (const gate of ['alpha', 'beta', 'gamma'])
            expect(allZero(fused.grads.get(gate)), gate).toBe(false);
        }
      } finally {
        tf.dispose([x, R1, R2]);
        disposeAll(raw);
      }
    },
  );

  it.runIf(probe.ok).each(['code', 'paper-figure'] as const)(
    'gives bit-identical spikes and membranes on a layer-sized tensor (%s reset)',
    async (reset) => {
      const spec: NeuronSpec = { ...defaultNeuronSpec('glif'), reset };
      const rng = new Rng(5);
      const shape = [T, 16, 14, 14, 32];
      const size = shape.reduce((a, b) => a * b, 1);
      const raw = makeParams(spec, 32, rng);
      const x = tf.tensor(
        Float32Array.from({ length: size }, () => rng.normal() * 0.6 + 0.4),
        shape,
      );
      const read = async (impl: ResolvedNeuronImpl) => {
        const out = glifForward(x, raw as unknown as GlifRawParams, spec, { recordMembrane: true, impl });
        const membrane = out.membrane ?? tf.zerosLike(out.spikes);
        const data = [Float32Array.from(await out.spikes.data()), Float32Array.from(await membrane.data())];
        tf.dispose([out.spikes, membrane]);
        return data;
      };
      const [a, b] = [await read('ops'), await read('fused')];
      let spikeDiffs = 0;
      let membraneDiffs = 0;
      for (let i = 0; i < size; i++) {
        if (a[0][i] !== b[0][i]) spikeDiffs++;
        if (a[1][i] !== b[1][i]) membraneDiffs++;
      }
      expect({ spikeDiffs, membraneDiffs }).toEqual({ spikeDiffs: 0, membraneDiffs: 0 });
      tf.dispose(x);
      disposeAll(raw);
    },
  );

  it.runIf(probe.ok)('runs as one fused op in a GlifLayer, keeping tf.memory().numTensors flat', async () => {
    const layer = new GlifLayer({
      channels: 6,
      T,
      spec: defaultNeuronSpec('glif'),
      init: glifInit('cifar'),
      rng: new Rng(2),
      impl: 'fused',
    });
    const vars = layer.parameters().map((p) => p.variable);
    const rng = new Rng(9);
    const x = tf.tensor(
      Float32Array.from({ length: T * 2 * 3 * 3 * 6 }, () => rng.normal() + 0.3),
      [T * 2, 3, 3, 6],
    );
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => tf.sum(layer.forward(x, { T, training: true })) as tf.Scalar,
          vars,
        );
        return Object.keys(grads).length;
      });
    const profile = await tf.profile(() => {
      step();
    });
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).toContain(FUSED_GLIF_SCOPE);
    expect(step()).toBe(vars.length);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      step();
      tf.tidy(() => {
        layer.forward(x, { T, training: false });
        layer.forward(x, { T, training: false, recorder: { wantsMembrane: true, record: () => undefined } });
      });
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    layer.dispose();
  });
});
