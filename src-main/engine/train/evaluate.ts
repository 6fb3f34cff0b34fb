import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Dataset } from '../data/dataset';
import type { Model } from '../models/model';
import type { ActivityRecorder } from '../nn/module';
import type { Rng } from '../random';
import { batchInput, batchLabels } from './batch-tensors';
import { OperationCounter, type LayerOperations } from './energy';
import { unlessGpuLost } from '../webgpu/device-lost';

export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
  readonly samples: number;
  /** Mean spikes per neuron per step, by GLIF layer path. */
  readonly firingRates: Record<string, number>;
  /** Synaptic operations and multiply-accumulates per test sample (energy.ts). */
  readonly sopsPerSample: number;
  readonly macsPerSample: number;
}

/** The sums one batch (or one shard of it) contributes to an evaluation; plain data, so it can cross threads. */
export interface BatchEvaluation {
  /** Summed cross-entropy over the samples. */
  readonly lossSum: number;
  readonly hits: number;
  readonly n: number;
  /** Per GLIF layer, in forward order: spikes emitted and neuron-steps. */
  readonly spikes: ReadonlyArray<readonly [path: string, sum: number, count: number]>;
  /** Per weighted layer call, in forward order: its input kind, summed input activity, fan-out, MACs. */
  readonly synapticInput: ReadonlyArray<readonly [path: string, operations: LayerOperations]>;
}

/** Evaluates a batch in eval mode (running tdBN statistics), recording activity for the statistics. */
export function evaluateBatch(model: Model, batch: Batch): BatchEvaluation {
  const sums = evaluationSums(model, batch);
  try {
    return sums.read((t) => t.dataSync()[0]);
  } finally {
    sums.dispose();
  }
}

/** evaluateBatch reading with `data()`, for backends without synchronous read-back (webgpu). */
export async function evaluateBatchAsync(model: Model, batch: Batch): Promise<BatchEvaluation> {
  const sums = evaluationSums(model, batch);
  try {
    const values = new Map<tf.Scalar, number>();
    await unlessGpuLost(Promise.all(sums.scalars.map(async (t) => values.set(t, (await t.data())[0]))));
    return sums.read((t) => values.get(t)!);
  } finally {
    sums.dispose();
  }
}

/**
 * The forward pass of an evaluation with every number it yields left on the device as a scalar,
 * so that the caller chooses how to read them (all at once, asynchronously, on a GPU).
 */
function evaluationSums(
  model: Model,
  batch: Batch,
): {
  scalars: tf.Scalar[];
  read(value: (t: tf.Scalar) => number): BatchEvaluation;
  dispose(): void;
} {
  const spikes: Array<[string, tf.Scalar, number]> = [];
  const synapticInput: Array<[string, tf.Scalar | null, Omit<LayerOperations, 'activity'>]> = [];
  const recorder: ActivityRecorder = {
    record(path, activity) {
      spikes.push([path, tf.keep(tf.tidy(() => tf.sum(activity.spikes) as tf.Scalar)), activity.spikes.size]);
    },
    synapticInput(path, input, call) {
      // Only event inputs are counted by their activity; a real-valued input costs its MACs.
      const activity =
        call.input === 'spikes' ? tf.keep(tf.tidy(() => tf.sum(tf.abs(input)) as tf.Scalar)) : null;
      synapticInput.push([path, activity, call]);
    },
  };
  const [lossSum, hits] = tf.tidy(() => {
    const x = batchInput(batch, model.T);
    const y = batchLabels(batch, model.numClasses);
    const logits = model.logits(x, { T: model.T, training: false, recorder });
    const l = tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.SUM) as tf.Scalar;
    const h = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), 'float32')) as tf.Scalar;
    return [l, h];
  });
  const scalars = [
    lossSum,
    hits,
    ...spikes.map((s) => s[1]),
    ...synapticInput.flatMap((s) => (s[1] ? [s[1]] : [])),
  ];
  return {
    scalars,
    read: (value) => ({
      lossSum: value(lossSum),
      hits: value(hits),
      n: batch.n,
      spikes: spikes.map(([path, sum, count]) => [path, value(sum), count] as const),
      synapticInput: synapticInput.map(
        ([path, sum, call]) => [path, { ...call, activity: sum ? value(sum) : 0 }] as const,
      ),
    }),
    dispose: () => scalars.forEach((t) => t.dispose()),
  };
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
  const operations = new OperationCounter(dataset.info.kind === 'static');
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
    const parts = opts.replicas
      ? await opts.replicas.evaluate(batch)
      : [await evaluateBatchAsync(model, batch)];
    for (const part of parts) {
      for (const [path, sum, count] of part.spikes) {
        const s = spikes.get(path) ?? { sum: 0, count: 0 };
        s.sum += sum;
        s.count += count;
        spikes.set(path, s);
      }
      for (const [path, ops] of part.synapticInput) operations.add(path, ops);
      lossSum += part.lossSum;
      correct += part.hits;
    }
    samples += batch.n;
    operations.addSamples(batch.n);
    await opts.yieldEvery?.();
  }
  const perSample = operations.perSample();
  const firingRates: Record<string, number> = {};
  for (const [path, s] of spikes) firingRates[path] = s.count ? s.sum / s.count : 0;
  return {
    loss: samples ? lossSum / samples : NaN,
    accuracy: samples ? correct / samples : NaN,
    samples,
    firingRates,
    sopsPerSample: perSample.sops,
    macsPerSample: perSample.macs,
  };
}
