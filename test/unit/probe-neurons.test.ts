/**
 * The neuron probe against an independent computation: the membrane is recomputed in plain JS
 * from the probed input current and the channel's effective parameters with the equations of
 * reference glif.md section 1.2, spikes from u > V_th, and the most active neuron, the channel
 * means and the prediction from a separate forward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProbeChannelParams, ProbeTarget } from '../../src-main/contract/probe';
import { initBackend } from '../../src-main/engine/backend';
import { buildConfig } from '../../src-main/engine/config/build';
import type { Batch, DatasetInfo } from '../../src-main/engine/data/dataset';
import type { GlifNeuronImpl } from '../../src-main/engine/glif/impl';
import type { Model } from '../../src-main/engine/models/model';
import { ProbeError, probeNeurons } from '../../src-main/engine/probe/neurons';
import { Rng } from '../../src-main/engine/random';
import { batchInput } from '../../src-main/engine/train/batch-tensors';
import { buildRunModel, runNeuronImpl } from '../../src-main/engine/train/build';

const INFO: DatasetInfo = {
  name: 'synthetic',
  kind: 'static',
  inputShape: [28, 28, 1],
  numClasses: 10,
  trainSize: 3,
  testSize: 3,
  augmentation: 'none',
  source: 'test',
};

beforeAll(async () => {
  await initBackend({ only: 'cpu' });
});

function makeModel(preset: string, overrides: string[], impl: GlifNeuronImpl, seed: number): Model {
  const config = buildConfig({ preset, overrides });
  const model = buildRunModel(config, INFO, new Rng(seed), runNeuronImpl(config, impl, 'cpu'));
  // Spread the GLIF parameters away from their initial values, so every term of the update
  // (both leaks, both resets, per-step conductance) matters and channels differ.
  const rng = new Rng(seed + 1);
  for (const p of model.root.parameters())
    if (p.role !== 'weight' && p.variable.trainable) {
      const values = Float32Array.from({ length: p.variable.size }, () => rng.uniform(-2, 2));
      p.variable.assign(tf.tensor(values, p.variable.shape));
    }
  return model;
}

function makeBatch(n: number, seed: number): Batch {
  const rng = new Rng(seed);
  return {
    x: Float32Array.from({ length: n * 28 * 28 }, () => rng.uniform(-8, 8)),
    y: Int32Array.from({ length: n }, (_, i) => (i * 3) % 10),
    n,
    shape: [n, 28, 28, 1],
    indices: Int32Array.from({ length: n }, (_, i) => i),
  };
}

/** glif.md 1.2, written again from the document (code reset form), for one neuron. */
function recomputeMembrane(current: readonly number[], p: ProbeChannelParams, glifF: boolean): number[] {
  const a = glifF ? null : p.alpha!;
  const b = glifF ? null : p.beta!;
  const c = glifF ? null : p.gamma!;
  const u: number[] = [];
  let prevU = 0;
  let prevS = 0;
  current.forEach((x, t) => {
    let next: number;
    if (a === null || b === null || c === null) {
      // GLIF_f (section 5): tau u (1 - S) - l + g x - v S
      next = p.tauExp * prevU * (1 - prevS) - p.tauLin + p.conduct[t] * x - p.vre * prevS;
    } else {
      const A = 1 - a * (1 - p.tauExp);
      const K = 1 - b * (1 - p.conduct[t]);
      next = A * prevU * (1 - c * prevS) - (1 - a) * p.tauLin + K * x - (1 - c) * p.vre * prevS;
    }
    u.push(next);
    prevU = next;
    prevS = next - p.vth > 0 ? 1 : 0;
  });
  return u;
}

/** Every GLIF layer's full activity from a forward pass of our own. */
function fullActivity(model: Model, batch: Batch) {
  const out = new Map<string, { shape: number[]; spikes: Float32Array; input: Float32Array }>();
  const logits = tf.tidy(() =>
    Array.from(
      tf
        .argMax(
          model.logits(batchInput(batch, model.T), {
            T: model.T,
            training: false,
            recorder: {
              wantsInput: true,
              record(path, a) {
                out.set(path, {
                  shape: a.spikes.shape,
                  spikes: a.spikes.dataSync() as Float32Array,
                  input: a.input!.dataSync() as Float32Array,
                });
              },
            },
          }),
          1,
        )
        .dataSync(),
    ),
  );
  return { layers: out, predicted: logits };
}

const cases: Array<[string, string, string[], GlifNeuronImpl]> = [
  ['conv GLIF, tf ops', 'fmnist-cnn', [], 'ops'],
  ['conv GLIF, fused op', 'fmnist-cnn', [], 'fused'],
  ['conv simplex exp/uniform/hard', 'fmnist-cnn', ['neuron.variant=simplex-101'], 'ops'],
  ['dense GLIF_f', 'synthetic-mlp', ['neuron.variant=glif-f'], 'ops'],
  ['dense layer-wise GLIF', 'synthetic-mlp', ['neuron.layerwise=true'], 'fused'],
];

describe('probeNeurons', () => {
  it.each(cases)(
    '%s: traces follow glif.md from the probed current',
    async (_name, preset, overrides, impl) => {
      const model = makeModel(preset, overrides, impl, 7);
      try {
        const batch = makeBatch(3, 11);
        const layers = model.glifLayers();
        const layer = layers[0];
        const target: ProbeTarget = { layer: layer.path, channels: [0, 3, 7, 12, 20], samples: [4, 9, 2] };
        const before = tf.memory().numTensors;
        const result = await probeNeurons(model, batch, target);
        expect(tf.memory().numTensors).toBe(before);

        const own = fullActivity(model, batch);
        const act = own.layers.get(layer.path)!;
        const [T, N] = act.shape;
        const C = act.shape[act.shape.length - 1];
        const P = act.shape.slice(2, -1).reduce((x, y) => x * y, 1);
        expect(result.timeSteps).toBe(T);
        expect(result.layers.map((l) => l.path)).toEqual(layers.map((l) => l.path));
        expect(result.layers[0].channels).toBe(C);
        const glifF = overrides.includes('neuron.variant=glif-f');

        // Parameters: sigmoid of the raw values, read here straight from the layer's variables.
        const sig = (r: number) => 1 / (1 + Math.exp(-r));
        const raw = (t: tf.Tensor) => Array.from(t.dataSync());
        for (const p of result.params) {
          const i = layer.spec.layerwise ? 0 : p.channel;
          expect(p.vth).toBeCloseTo(sig(raw(layer.raw.vth)[i]), 6);
          expect(p.vre).toBeCloseTo(sig(raw(layer.raw.reVth)[i]), 6);
          expect(p.tauLin).toBeCloseTo(sig(raw(layer.raw.leak)[i]), 6);
          expect(p.conduct).toHaveLength(T);
          if (glifF) expect([p.alpha, p.beta, p.gamma]).toEqual([null, null, null]);
          else if (overrides.includes('neuron.variant=simplex-101'))
            expect([p.alpha, p.beta, p.gamma]).toEqual([1, 0, 1]);
          else expect(p.alpha).toBeCloseTo(sig(raw(layer.raw.alpha!)[i]), 6);
        }

        let spikesSeen = 0;
        result.samples.forEach((s, n) => {
          expect(s.index).toBe(target.samples[n]);
          expect(s.label).toBe(batch.y[n]);
          expect(s.predicted).toBe(own.predicted[n]);
          expect(s.image.pixels).toHaveLength(28 * 28);
          expect(s.image.pixels[5]).toBeCloseTo(batch.x[n * 784 + 5], 6);
          s.traces.forEach((tr, k) => {
            const params = result.params[k];
            const c = target.channels[k];
            expect(tr.channel).toBe(c);
            expect(tr.neurons).toBe(P);
            const u = recomputeMembrane(tr.current, params, glifF);
            tr.membrane.forEach((m, t) => expect(m).toBeCloseTo(u[t], 4));
            tr.spikes.forEach((sp, t) => {
              if (Math.abs(u[t] - params.vth) > 1e-4) expect(sp).toBe(u[t] > params.vth ? 1 : 0);
            });
            spikesSeen += tr.spikes.reduce((x, y) => x + y, 0);

            // The shown neuron is the first with the most spikes; the current is its input.
            const at = (t: number, p: number) => ((t * N + n) * P + p) * C + c;
            const counts = Array.from({ length: P }, (_, p) =>
              Array.from({ length: T }, (_, t) => act.spikes[at(t, p)]).reduce((x, y) => x + y, 0),
            );
            expect(tr.neuron).toBe(counts.indexOf(Math.max(...counts)));
            tr.current.forEach((v, t) => expect(v).toBeCloseTo(act.input[at(t, tr.neuron)], 5));
            if (P > 1) {
              const width = act.shape[3];
              expect(tr.position).toEqual([Math.floor(tr.neuron / width), tr.neuron % width]);
            } else expect(tr.position).toBeNull();
            for (let t = 0; t < T; t++) {
              let sum = 0;
              let fired = 0;
              for (let p = 0; p < P; p++) {
                sum += act.input[at(t, p)];
                fired += act.spikes[at(t, p)];
              }
              expect(tr.meanCurrent[t]).toBeCloseTo(sum / P, 5);
              expect(tr.spikeFraction[t]).toBeCloseTo(fired / P, 6);
            }
          });
        });
        // The check above is only meaningful if the neurons fired at all.
        expect(spikesSeen).toBeGreaterThan(0);
      } finally {
        model.dispose();
      }
    },
  );

  it('names the GLIF layers when the layer is unknown, and the range of a bad channel', async () => {
    const model = makeModel('fmnist-cnn', [], 'ops', 3);
    try {
      const batch = makeBatch(1, 5);
      const paths = model.glifLayers().map((l) => l.path);
      await expect(
        probeNeurons(model, batch, { layer: 'nope', channels: [0], samples: [0] }),
      ).rejects.toThrow(new ProbeError(`unknown layer 'nope'; GLIF layers: ${paths.join(', ')}`));
      const before = tf.memory().numTensors;
      await expect(
        probeNeurons(model, batch, { layer: paths[0], channels: [0, 999], samples: [0] }),
      ).rejects.toThrow(/channel 999 is out of range: layer \S+ has channels 0\.\.\d+/);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      model.dispose();
    }
  });
});
