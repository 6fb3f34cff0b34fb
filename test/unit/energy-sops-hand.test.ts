/**
 * The SOP (synaptic operation) and MAC counts of evaluate(), checked against counts done by hand
 * on a tiny network whose spikes are fixed by construction: weights of ±50 make each hidden neuron
 * either fire at every time step or never, whatever the neuron's exact dynamics. Then
 *
 *   SOPs of one sample = sum over layers that receive spikes of (input spikes over T) x fan-out
 *   MACs of one sample = sum over layers that receive real values of their dense MACs over T
 *
 * with the fan-out of a linear layer its output width. The first layer receives the analog image
 * for static datasets (MACs, zeros included) and spikes for event frames (SOPs).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { buildConfig } from '../../src-main/engine/config/build';
import type { Batch, Dataset, DatasetInfo } from '../../src-main/engine/data/dataset';
import type { Model } from '../../src-main/engine/models/model';
import { Rng } from '../../src-main/engine/random';
import { buildRunModel } from '../../src-main/engine/train/build';
import { energyMicrojoules } from '../../src-main/engine/train/energy';
import { evaluate } from '../../src-main/engine/train/evaluate';

const T = 4;
const CLASSES = 3;

beforeAll(async () => {
  await initBackend({ only: 'cpu' });
});

let model: Model | undefined;
afterEach(() => {
  model?.dispose();
  model = undefined;
});

/** An MLP 2 -> 3 -> 2 -> 3 whose hidden neurons fire always (+50 weights) or never (-50). */
function tinyNetwork(kind: DatasetInfo['kind']): { model: Model; info: DatasetInfo } {
  const info: DatasetInfo = {
    name: 'hand-made',
    kind,
    inputShape: [1, 1, 2],
    numClasses: CLASSES,
    trainSize: 2,
    testSize: 2,
    timeSteps: kind === 'frames' ? T : undefined,
    augmentation: 'none',
    source: 'test',
  };
  const config = buildConfig({
    preset: 'synthetic-mlp',
    overrides: ['model.mlpHidden=3,2', `model.timeSteps=${T}`],
  });
  const m = buildRunModel(config, info, new Rng(1), 'fused');
  const set = (path: string, columns: number[]) => {
    const p = m.root.parameters().find((x) => x.path === path)!;
    const [rows] = p.variable.shape;
    // [in, out]: every input drives output j with weight columns[j].
    p.variable.assign(tf.tensor2d(Array.from({ length: rows }, () => columns)));
  };
  set('features.0.0.weight', [50, -50, 50]); // 2 of 3 fire on a non-zero input
  set('features.1.0.weight', [50, -50]); // 1 of 2 fires when anything below does
  return { model: m, info };
}

/** Two test samples, one a batch each: all ones (the network fires) and all zeros (it is silent). */
function twoSamples(info: DatasetInfo): Dataset {
  const perSample = 2 * (info.kind === 'frames' ? T : 1);
  const shape = info.kind === 'frames' ? [1, T, 1, 1, 2] : [1, 1, 1, 2];
  return {
    info,
    async *batches(): AsyncIterable<Batch> {
      for (const [i, v] of [1, 0].entries()) {
        yield {
          x: new Float32Array(perSample).fill(v),
          y: Int32Array.of(0),
          n: 1,
          shape,
          indices: Int32Array.of(i),
        };
      }
    },
    close: async () => undefined,
  };
}

describe('SOPs per sample, counted by hand', () => {
  // Sample of ones, per time step: 2 of the 3 first hidden neurons spike into the second linear
  // layer (fan-out 2), and 1 of the 2 second hidden neurons spikes into the classifier (fan-out
  // 3). Over T steps: T * (2 * 2 + 1 * 3) = 4 * 7 = 28. The sample of zeros: no spike, 0.
  const spikingLayers = T * (2 * 2 + 1 * CLASSES);

  it('static images: the first layer takes the analog image and multiplies', async () => {
    const net = tinyNetwork('static');
    model = net.model;
    const ev = await evaluate(net.model, twoSamples(net.info), { batchSize: 1, rng: new Rng(2) });
    expect(ev.samples).toBe(2);
    expect(ev.sopsPerSample).toBeCloseTo((spikingLayers + 0) / 2, 6);
    // The first linear, 2 -> 3, at each of T steps of both samples, the one of zeros as well.
    expect(ev.macsPerSample).toBe(T * 2 * 3);
    // The spikes behind that count: 2 of 3 and 1 of 2 neurons at every step of one sample of two.
    expect(ev.firingRates['features.0.2']).toBeCloseTo((2 * T) / (3 * T * 2), 6);
    expect(ev.firingRates['features.1.2']).toBeCloseTo((1 * T) / (2 * T * 2), 6);
  });

  it('event frames: the first layer receives spikes and is counted', async () => {
    const net = tinyNetwork('frames');
    model = net.model;
    const ev = await evaluate(net.model, twoSamples(net.info), { batchSize: 1, rng: new Rng(2) });
    // Sample of ones: 2 input events per step into the first layer (fan-out 3): T * 2 * 3 = 24.
    const firstLayer = T * 2 * 3;
    expect(ev.sopsPerSample).toBeCloseTo((firstLayer + spikingLayers + 0) / 2, 6);
    expect(ev.macsPerSample).toBe(0);
  });

  it('a conv that receives the image costs its dense MACs: fmnist-cnn at T=2', async () => {
    const config = buildConfig({ preset: 'fmnist-cnn', overrides: ['model.timeSteps=2'] });
    const info: DatasetInfo = {
      name: 'hand-made',
      kind: 'static',
      inputShape: [28, 28, 1],
      numClasses: 10,
      trainSize: 1,
      testSize: 1,
      augmentation: 'none',
      source: 'test',
    };
    model = buildRunModel(config, info, new Rng(1), 'fused');
    const data: Dataset = {
      info,
      async *batches(): AsyncIterable<Batch> {
        yield {
          x: new Float32Array(28 * 28).fill(0.5),
          y: Int32Array.of(0),
          n: 1,
          shape: [1, 28, 28, 1],
          indices: Int32Array.of(0),
        };
      },
      close: async () => undefined,
    };
    const ev = await evaluate(model, data, { batchSize: 1, rng: new Rng(2) });
    // conv3x3 1 -> 32, padding 1: 28 x 28 outputs of 32 channels, 9 weights each, at 2 steps.
    expect(ev.macsPerSample).toBe(2 * 28 * 28 * 32 * 9);
    // The 45 nm figures: 4.6 pJ a MAC, 0.9 pJ a SOP.
    expect(energyMicrojoules({ sops: ev.sopsPerSample, macs: ev.macsPerSample })).toBeCloseTo(
      (ev.macsPerSample * 4.6 + ev.sopsPerSample * 0.9) * 1e-6,
      12,
    );
  });
});
