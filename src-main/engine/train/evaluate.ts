import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
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

/** Test-set loss and accuracy in eval mode (running tdBN statistics), with activity statistics. */
export async function evaluate(
  model: Model,
  dataset: Dataset,
  opts: { batchSize: number; limit?: number; rng: Rng; yieldEvery?: () => Promise<void> },
): Promise<Evaluation> {
  const spikes = new Map<string, { sum: number; count: number }>();
  const sops = new SopCounter(dataset.info.kind === 'static');
  const recorder: ActivityRecorder = {
    record(path, activity) {
      const s = spikes.get(path) ?? { sum: 0, count: 0 };
      s.sum += tf.tidy(() => tf.sum(activity.spikes).dataSync()[0]);
      s.count += activity.spikes.size;
      spikes.set(path, s);
    },
    synapticInput(path, input, fanOut) {
      sops.add(path, tf.tidy(() => tf.sum(tf.abs(input)).dataSync()[0]), fanOut);
    },
  };
  let lossSum = 0;
  let correct = 0;
  let samples = 0;
  // The test pass draws no random numbers, but the API wants an Rng: use a private copy so
  // evaluation never shifts the training stream.
  for await (const batch of dataset.batches('test', { batchSize: opts.batchSize, shuffle: false, augment: false, rng: opts.rng.clone(), limit: opts.limit })) {
    const [loss, hits] = tf.tidy(() => {
      const x = batchInput(batch, model.T);
      const y = batchLabels(batch, model.numClasses);
      const logits = model.logits(x, { T: model.T, training: false, recorder });
      const l = tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.SUM);
      const h = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32'));
      return [l.dataSync()[0], h.dataSync()[0]];
    });
    lossSum += loss;
    correct += hits;
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
