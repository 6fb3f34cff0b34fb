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
import { trainStep, trainStepAsync } from '../../src-main/engine/train/train-step';
import type { ResolvedNeuronImpl } from '../../src-main/engine/glif/impl';
import { ReplicaPool } from '../../src-main/engine/parallel/pool';
import { resolveThreads } from '../../src-main/engine/parallel/threads';
import { parseBackendName } from '../../src-main/engine/backend';
import { benchNeuronImpl, settle, syntheticInfo } from './setup';

export interface TrainBench {
  readonly model: Model;
  /**
   * One step exactly as the trainer runs it: forward, cross-entropy, backward, SGD with momentum.
   * Synchronous except on webgpu (settle in setup.ts).
   */
  step(): Promise<void>;
  /** One inference pass (eval mode: tdBN uses its running statistics). */
  infer(): Promise<void>;
  dispose(): void;
}

/** The same workload as the trainer runs it: on every thread the engine would use (its replica pool). */
export interface ParallelTrainBench {
  readonly model: Model;
  readonly threads: number;
  /** One training step as the trainer takes it (trainStep, or the pool's sharded step). */
  step(): Promise<void>;
  /** One inference pass as the trainer's evaluation runs it (sharded over the pool's replicas). */
  infer(): Promise<void>;
  close(): Promise<void>;
}

export interface TrainBenchHooks {
  /** Runs the SGD update (`run`) of each step; bench/profile.ts wraps it to time the optimiser apart. */
  readonly aroundOptimizer?: (run: () => void) => void;
}

/** Waits for a step's (or a pass's) output tensor, then frees it. */
async function complete(t: tf.Tensor): Promise<void> {
  try {
    await settle(t);
  } finally {
    t.dispose();
  }
}

/** A preset's model on one batch of uniform random pixels in [0, 1) with random labels. */
export function trainBench(
  presetId: string,
  batchSize: number,
  inputShape: [number, number, number],
  numClasses: number,
  hooks: TrainBenchHooks = {},
): TrainBench & {
  config: RunConfig;
  sgd: Sgd;
  batch: Batch;
  info: ReturnType<typeof syntheticInfo>;
  impl: ResolvedNeuronImpl;
} {
  const preset = findPreset(presetId);
  if (!preset) throw new Error(`no preset '${presetId}'`);
  const config: RunConfig = preset.config;
  const impl = benchNeuronImpl(tf.getBackend());
  const model = buildRunModel(
    config,
    syntheticInfo(presetId, inputShape, numClasses),
    new Rng(config.train.seed),
    impl,
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
    config,
    sgd,
    batch,
    info: syntheticInfo(presetId, inputShape, numClasses),
    impl,
    step: () =>
      complete(
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(
            () =>
              tf.losses.softmaxCrossEntropy(y, model.logits(x, { T: model.T, training: true })) as tf.Scalar,
            vars,
          );
          if (hooks.aroundOptimizer) hooks.aroundOptimizer(() => sgd.step(grads, config.train.lr));
          else sgd.step(grads, config.train.lr);
          return value;
        }),
      ),
    infer: () => complete(tf.tidy(() => model.logits(x, { T: model.T, training: false }))),
    dispose() {
      tf.dispose([x, y]);
      model.dispose();
    },
  };
}

/**
 * trainBench on as many threads as training would use on this backend (GLIF_THREADS or every
 * core): steps and inference passes go through the same replica pool as the trainer's.
 */
export async function parallelTrainBench(
  presetId: string,
  batchSize: number,
  inputShape: [number, number, number],
  numClasses: number,
  backend: string,
): Promise<ParallelTrainBench> {
  const b = trainBench(presetId, batchSize, inputShape, numClasses);
  const { threads } = resolveThreads({
    backend,
    batchSize,
    fusedBatchNorm: b.impl === 'fused',
  });
  const pool =
    threads > 1
      ? await ReplicaPool.start(
          {
            threads,
            config: b.config,
            dataset: b.info,
            backend: parseBackendName(backend),
            neuronImpl: b.impl,
          },
          b.model,
          b.sgd,
        )
      : undefined;
  const lr = b.config.train.lr;
  return {
    model: b.model,
    threads,
    async step() {
      if (pool) await pool.step(b.batch, lr);
      else if (tf.getBackend() === 'webgpu') await trainStepAsync(b.model, b.sgd, b.batch, lr);
      else trainStep(b.model, b.sgd, b.batch, lr);
    },
    async infer() {
      if (pool) await pool.evaluate(b.batch);
      else await b.infer();
    },
    async close() {
      await pool?.close();
      b.dispose();
    },
  };
}

/** The two figures of a training step: its time and the samples per second it gives. */
export function trainStepMetrics(): Metric[] {
  return [
    { name: 'train step', unit: 'ms', referenceKey: 'train_step_ms', better: 'lower' },
    { name: 'train', unit: 'samples/s', referenceKey: 'train_samples_per_s', better: 'higher' },
  ];
}

/** One round's values of trainStepMetrics, keyed `name [unit]`. */
export function trainStepFigures(batch: number, stepMs: number): Record<string, number> {
  return { 'train step [ms]': stepMs, 'train [samples/s]': (batch / stepMs) * 1e3 };
}
