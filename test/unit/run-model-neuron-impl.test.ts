/**
 * The neuron implementation is a value fixed where a run's model is built: every GLIF layer and
 * tdBN of the model runs the one it was given, whatever the environment says afterwards.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { buildConfig } from '../../src-main/engine/config/build';
import type { Batch, DatasetInfo } from '../../src-main/engine/data/dataset';
import { FUSED_GLIF_SCOPE } from '../../src-main/engine/glif/fused';
import { NEURON_IMPL_ENV_VAR } from '../../src-main/engine/glif/impl';
import { TdBatchNorm } from '../../src-main/engine/glif/tdbn';
import { Rng } from '../../src-main/engine/random';
import { buildRunModel, runNeuronImpl } from '../../src-main/engine/train/build';
import { recipeGroups, Sgd } from '../../src-main/engine/train/optimizer';
import { trainStep } from '../../src-main/engine/train/train-step';

const INFO: DatasetInfo = {
  name: 'synthetic',
  kind: 'static',
  inputShape: [28, 28, 1],
  numClasses: 10,
  trainSize: 2,
  testSize: 2,
  augmentation: 'none',
  source: 'test',
};

beforeAll(async () => {
  await initBackend({ only: 'cpu' });
});

describe('the neuron implementation of a run', () => {
  const config = buildConfig({ preset: 'fmnist-cnn', overrides: [] });

  it('is resolved once from the request and the backend', () => {
    expect(runNeuronImpl(config, 'auto', 'cpu')).toBe('fused');
    expect(runNeuronImpl(config, 'auto', 'wasm')).toBe('fused');
    expect(runNeuronImpl(config, 'auto', 'tensorflow')).toBe('ops');
    expect(runNeuronImpl(config, 'ops', 'cpu')).toBe('ops');
    expect(runNeuronImpl(config, 'fused', 'tensorflow-gpu')).toBe('fused');
  });

  it.each(['ops', 'fused'] as const)('%s: the model built with it trains through it', async (impl) => {
    // The opposite override in the environment must change nothing once the model is built.
    process.env[NEURON_IMPL_ENV_VAR] = impl === 'ops' ? 'fused' : 'ops';
    onTestFinished(() => {
      delete process.env[NEURON_IMPL_ENV_VAR];
    });
    const model = buildRunModel(config, INFO, new Rng(1), impl);
    const sgd = new Sgd(model.root.parameters(), { momentum: 0.9, groups: recipeGroups(5e-5, 0.1) });
    try {
      const norms = model.root.modules().filter((m): m is TdBatchNorm => m instanceof TdBatchNorm);
      expect(norms.length).toBeGreaterThan(0);
      expect(new Set(norms.map((n) => n.impl))).toEqual(new Set([impl]));
      expect(model.glifLayers().length).toBeGreaterThan(0);
      expect(new Set(model.glifLayers().map((l) => l.impl))).toEqual(new Set([impl]));
      const rng = new Rng(3);
      const batch: Batch = {
        x: Float32Array.from({ length: 2 * 28 * 28 }, () => rng.next()),
        y: Int32Array.from([1, 7]),
        n: 2,
        shape: [2, 28, 28, 1],
        indices: Int32Array.from([0, 1]),
      };
      const profile = await tf.profile(() => {
        trainStep(model, sgd, batch, 0.01);
      });
      const kernels = profile.kernels.map((k) => k.name);
      if (impl === 'fused') expect(kernels).toContain(FUSED_GLIF_SCOPE);
      else expect(kernels).not.toContain(FUSED_GLIF_SCOPE);
    } finally {
      sgd.dispose();
      model.dispose();
    }
  });
});
