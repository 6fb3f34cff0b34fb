import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Dataset } from '../data/dataset';
import type { Model } from '../models/model';
import type { ActivityRecorder } from '../nn/module';
import type { Rng } from '../random';
import { batchInput, batchLabels } from './batch-tensors';
import { SopCounter } from './energy';

export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
  readonly samples: number;
  /** Mean spikes per neuron per step, by GLIF layer path. */
  readonly firingRates: Record<string, number>;
  readonly sopsPerSample: number;
}

/** The sums one batch (or one shard of it) contributes to an evaluation; plain data, so it can cross threads. */
export interface BatchEvaluation {
  /** Summed cross-entropy over the samples. */
  readonly lossSum: number;
  readonly hits: number;
  readonly n: number;
  /** Per GLIF layer, in forward order: spikes emitted and neuron-steps. */
  readonly spikes: ReadonlyArray<readonly [path: string, sum: number, count: number]>;
  /** Per weighted layer, in forward order: summed input activity and fan-out. */
  readonly synapticInput: ReadonlyArray<readonly [path: string, activity: number, fanOut: number]>;
}

/** Evaluates a batch in eval mode (running tdBN statistics), recording activity for the statistics. */
export function evaluateBatch(model: Model, batch: Batch): BatchEvaluation {
  const spikes: Array<[string, number, number]> = [];
  const synapticInput: Array<[string, number, number]> = [];
  const recorder: ActivityRecorder = {
    record(path, activity) {
      spikes.push([path, tf.tidy(() => tf.sum(activity.spikes).dataSync()[0]), activity.spikes.size]);
    },
    synapticInput(path, input, fanOut) {
      synapticInput.push([path, tf.tidy(() => tf.sum(tf.abs(input)).dataSync()[0]), fanOut]);
    },
  };
  const [lossSum, hits] = tf.tidy(() => {
    const x = batchInput(batch, model.T);
    const y = batchLabels(batch, model.numClasses);
    const logits = model.logits(x, { T: model.T, training: false, recorder });
    const l = tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.SUM);
    const h = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'));
    return [l.dataSync()[0], h.dataSync()[0]];
  });
  return { lossSum, hits, n: batch.n, spikes, synapticInput };
}

/** Evaluates batches elsewhere (the replica threads of a data-parallel run), in shard order. */
export interface BatchEvaluator {
  evaluate(batch: Batch): Promise<BatchEvaluation[]>;
}

/** Test-set loss and accuracy in eval mode (running tdBN statistics), with activity statistics. */
export async function evaluate(
  model: Model,
  dataset: Dataset,
  opts: {
    batchSize: number;
    limit?: number;
    rng: Rng;
    yieldEvery?: () => Promise<void>;
    /** Spread each batch over these replicas instead of evaluating it on `model` here. */
    replicas?: BatchEvaluator;
  },
): Promise<Evaluation> {
  const spikes = new Map<string, { sum: number; count: number }>();
  const sops = new SopCounter(dataset.info.kind === 'static');
  let lossSum = 0;
  let correct = 0;
  let samples = 0;
  // The test pass draws no random numbers, but the API wants an Rng: use a private copy so
  // evaluation never shifts the training stream.
  for await (const batch of dataset.batches('test', {
    batchSize: opts.batchSize,
    shuffle: false,
    augment: false,
    rng: opts.rng.clone(),
    limit: opts.limit,
  })) {
    const parts = opts.replicas ? await opts.replicas.evaluate(batch) : [evaluateBatch(model, batch)];
    for (const part of parts) {
      for (const [path, sum, count] of part.spikes) {
        const s = spikes.get(path) ?? { sum: 0, count: 0 };
        s.sum += sum;
        s.count += count;
        spikes.set(path, s);
      }
      for (const [path, activity, fanOut] of part.synapticInput) sops.add(path, activity, fanOut);
      lossSum += part.lossSum;
      correct += part.hits;
    }
    samples += batch.n;
    sops.addSamples(batch.n);
    await opts.yieldEvery?.();
  }
  const firingRates: Record<string, number> = {};
  for (const [path, s] of spikes) firingRates[path] = s.count ? s.sum / s.count : 0;
  return {
    loss: samples ? lossSum / samples : NaN,
    accuracy: samples ? correct / samples : NaN,
    samples,
    firingRates,
    sopsPerSample: sops.perSample(),
  };
}
