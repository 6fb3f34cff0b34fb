import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/dataset';
import type { Model } from '../models/model';
import type { ShardedSgd } from '../parallel/sharded-sgd';
import { batchInput, batchLabels } from './batch-tensors';
import type { Sgd } from './optimizer';
import { unlessGpuLost } from '../webgpu/device-lost';

export interface StepResult {
  /** This call's share of the batch's mean cross-entropy (the whole of it without a group). */
  readonly loss: number;
  /** Correct predictions among the samples this call saw. */
  readonly hits: number;
}

/** Where this replica's shard sits in a batch split across a group. */
export interface ShardContext {
  /** The group's optimiser: it reduces the replicas' gradients and applies the update. */
  readonly optimizer: ShardedSgd;
  /** Samples in the whole batch, over every shard. */
  readonly total: number;
}

/**
 * One optimiser step: forward, cross-entropy, backward, SGD with momentum.
 *
 * On one thread the loss is the batch mean, as always. On a shard (data-parallel training) the
 * loss is the shard's sum divided by the whole batch's size, so the replicas' gradients add up to
 * the gradient of the batch mean; the group's sharded optimiser sums them and updates the
 * parameters, which every replica then copies into its model.
 *
 * Reads its two numbers synchronously, which the CPU-memory backends (wasm, cpu) do for free;
 * trainStepAsync is the same step for backends that can only read asynchronously (webgpu).
 */
export function trainStep(
  model: Model,
  sgd: Sgd,
  batch: Batch,
  lr: number,
  shard?: ShardContext,
): StepResult {
  const { loss, hits } = stepTensors(model, sgd, batch, lr, shard);
  try {
    return { loss: loss.dataSync()[0], hits: hits.dataSync()[0] };
  } finally {
    loss.dispose();
    hits.dispose();
  }
}

/**
 * trainStep reading its results with `data()`: WebGPU in Node has no synchronous read-back (TF.js's
 * readSync needs an OffscreenCanvas), and on the other backends it costs nothing extra.
 */
export async function trainStepAsync(model: Model, sgd: Sgd, batch: Batch, lr: number): Promise<StepResult> {
  const { loss, hits } = stepTensors(model, sgd, batch, lr);
  try {
    const [l, h] = await unlessGpuLost(Promise.all([loss.data(), hits.data()]));
    return { loss: l[0], hits: h[0] };
  } finally {
    loss.dispose();
    hits.dispose();
  }
}

/** The step itself; returns the loss and the hit count as scalars the caller reads and disposes. */
function stepTensors(
  model: Model,
  sgd: Sgd,
  batch: Batch,
  lr: number,
  shard?: ShardContext,
): { loss: tf.Scalar; hits: tf.Scalar } {
  return tf.tidy(() => {
    const x = batchInput(batch, model.T);
    const y = batchLabels(batch, model.numClasses);
    let logits: tf.Tensor | undefined;
    const { value, grads } = tf.variableGrads(
      () => {
        // Kept: variableGrads disposes what its function created once gradients exist.
        logits = tf.keep(model.logits(x, { T: model.T, training: true }));
        if (!shard) return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        const sum = tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.SUM);
        return tf.div(sum, shard.total) as tf.Scalar;
      },
      sgd.trainable.map((p) => p.variable),
    );
    if (shard) shard.optimizer.step(grads, lr);
    else sgd.step(grads, lr);
    const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), tf.argMax(y, 1)), 'float32')) as tf.Scalar;
    logits!.dispose();
    return { loss: value, hits };
  });
}

/** Number of float32 values the gradient all-reduce carries: every trainable parameter, in order. */
export function gradientLength(sgd: Sgd): number {
  return sgd.trainable.reduce((n, p) => n + p.variable.size, 0);
}
