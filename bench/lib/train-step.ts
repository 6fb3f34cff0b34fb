import * as tf from '@tensorflow/tfjs-core';
import { findPreset } from '../../src-main/engine/config/presets';
import type { RunConfig } from '../../src-main/engine/config/types';
import type { Batch } from '../../src-main/engine/data/dataset';
import type { Metric } from './report';
import type { Model } from '../../src-main/engine/models/model';
import { Rng } from '../../src-main/engine/random';
import { batchInput, batchLabels } from '../../src-main/engine/train/batch-tensors';
import { buildRunModel } from '../../src-main/engine/train/build';
import { recipeGroups, Sgd } from '../../src-main/engine/train/optimizer';
import { syntheticInfo } from './setup';

export interface TrainBench {
  readonly model: Model;
  /** One step exactly as the trainer runs it: forward, cross-entropy, backward, SGD with momentum. */
  step(): void;
  /** One inference pass (eval mode: tdBN uses its running statistics). */
  infer(): void;
  dispose(): void;
}

/** A preset's model on one batch of uniform random pixels in [0, 1) with random labels. */
export function trainBench(
  presetId: string,
  batchSize: number,
  inputShape: [number, number, number],
  numClasses: number,
): TrainBench {
  const preset = findPreset(presetId);
  if (!preset) throw new Error(`no preset '${presetId}'`);
  const config: RunConfig = preset.config;
  const model = buildRunModel(
    config,
    syntheticInfo(presetId, inputShape, numClasses),
    new Rng(config.train.seed),
  );
  const sgd = new Sgd(model.root.parameters(), {
    momentum: config.train.momentum,
    groups: recipeGroups(config.train.weightDecay, config.train.gateLrScale),
  });
  const rng = new Rng(1);
  const perSample = inputShape[0] * inputShape[1] * inputShape[2];
  const batch: Batch = {
    x: Float32Array.from({ length: batchSize * perSample }, () => rng.next()),
    y: Int32Array.from({ length: batchSize }, () => rng.int(numClasses)),
    n: batchSize,
    shape: [batchSize, ...inputShape],
    indices: Int32Array.from({ length: batchSize }, (_, i) => i),
  };
  const x = batchInput(batch, model.T);
  const y = batchLabels(batch, numClasses);
  const vars = sgd.trainable.map((p) => p.variable);
  return {
    model,
    step() {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(
          () =>
            tf.losses.softmaxCrossEntropy(y, model.logits(x, { T: model.T, training: true })) as tf.Scalar,
          vars,
        );
        sgd.step(grads, config.train.lr);
        value.dataSync();
      });
    },
    infer() {
      tf.tidy(() => void model.logits(x, { T: model.T, training: false }).dataSync());
    },
    dispose() {
      tf.dispose([x, y]);
      model.dispose();
    },
  };
}

/** The two figures of one timed training step: its time and the samples per second it gives. */
export function trainStepMetrics(batch: number, stepMs: number): Metric[] {
  return [
    { name: 'train step', unit: 'ms', ours: stepMs, referenceKey: 'train_step_ms', better: 'lower' },
    {
      name: 'train',
      unit: 'samples/s',
      ours: (batch / stepMs) * 1e3,
      referenceKey: 'train_samples_per_s',
      better: 'higher',
    },
  ];
}
