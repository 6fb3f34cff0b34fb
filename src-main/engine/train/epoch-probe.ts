/**
 * How long an epoch of a run would take here, measured before the run exists. ImageNet-scale runs
 * are meant for the torch engine on GPUs; on the workbench's own engine an epoch can take days,
 * and the user hears that before anything starts (epoch-gate.ts decides when). The probe builds
 * the run's network as the run would, times a few training steps on inputs of the run's shape
 * (random values: a step's cost does not depend on them) and scales the time per sample to the
 * whole training split. The split is counted, not loaded: an image folder is listed, never decoded.
 */
import { DatasetError } from '../data/errors';
import type { DatasetInfo } from '../data/dataset';
import { openDataset } from '../data/registry';
import { scanImageFolder } from '../data/image-folder/scan';
import type { RunConfig } from '../config/types';
import type { BackendName } from '../backend';
import type { Model } from '../models/model';
import { Rng } from '../random';
import { buildRunModel, runNeuronImpl } from './build';
import { datasetSpec } from './data-spec';
import { assertFitsWasmMemory, estimateTrainingMemory, measureActivationBytesPerSample } from './memory';
import { recipeGroups, Sgd } from './optimizer';
import { trainStepAsync } from './train-step';
import type { EpochEstimate } from '../../contract/epoch-estimate';

/** Samples per probe step: enough to time convolutions as batches, small enough for any model. */
export const PROBE_BATCH = 2;
/** Steps timed after one untimed step (which pays for compiling kernels). */
export const PROBE_STEPS = 2;

/** The split sizes and input shape of the run's dataset, without loading its samples. */
async function datasetShape(config: RunConfig): Promise<DatasetInfo> {
  if (config.data.dataset === 'image-folder') {
    if (!config.data.path) throw new DatasetError('data.path', 'an image folder run needs data.path');
    const scanned = await scanImageFolder(config.data.path);
    const size = config.data.imageSize;
    return {
      name: 'image-folder',
      kind: 'static',
      inputShape: [size, size, 3],
      numClasses: scanned.classes.length,
      trainSize: scanned.train.length,
      testSize: scanned.test.length,
      augmentation: '',
      source: scanned.layout,
    };
  }
  const dataset = await openDataset(datasetSpec(config, config.train.seed));
  try {
    return dataset.info;
  } finally {
    await dataset.close();
  }
}

function randomBatch(info: DatasetInfo, T: number, n: number, rng: Rng) {
  const [h, w, c] = info.inputShape;
  const shape = info.kind === 'frames' ? [n, T, h, w, c] : [n, h, w, c];
  const x = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
  const y = Int32Array.from({ length: n }, (_, i) => i % info.numClasses);
  return { x, y, n, shape, indices: Int32Array.from({ length: n }, (_, i) => i) };
}

/** Whether a full batch fits a wasm thread's memory; the reason when it does not. */
async function wasmMemoryNote(model: Model, config: RunConfig, trainSize: number): Promise<string | null> {
  const estimate = estimateTrainingMemory({
    activationBytesPerSample: await measureActivationBytesPerSample(model),
    parameterCount: model.countParameters().total,
    batchSize: Math.min(config.train.batchSize, trainSize),
    threads: 1,
  });
  try {
    assertFitsWasmMemory(estimate, config, 1);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Times PROBE_STEPS training steps of PROBE_BATCH samples on `backend` (one thread) and scales
 * them to an epoch of the run's batches. Disposes everything it made.
 */
export async function probeEpoch(config: RunConfig, backend: BackendName): Promise<EpochEstimate> {
  const info = await datasetShape(config);
  const trainSamples = Math.min(info.trainSize, config.data.trainLimit ?? Infinity);
  const batchSize = config.train.batchSize;
  const rng = new Rng(config.train.seed);
  const model = buildRunModel(config, info, rng, runNeuronImpl(config, 'auto', backend));
  const sgd = new Sgd(model.root.parameters(), {
    momentum: config.train.momentum,
    groups: recipeGroups(config.train.weightDecay, config.train.gateLrScale),
  });
  try {
    const probeBatch = Math.min(PROBE_BATCH, batchSize);
    const batch = randomBatch(info, config.model.timeSteps, probeBatch, rng);
    // A tiny rate: the probe's model is thrown away, but a step must stay finite to be timed.
    await trainStepAsync(model, sgd, batch, 1e-6);
    const t0 = performance.now();
    for (let i = 0; i < PROBE_STEPS; i++) await trainStepAsync(model, sgd, batch, 1e-6);
    const secondsPerSample = (performance.now() - t0) / 1000 / (PROBE_STEPS * probeBatch);
    const stepsPerEpoch = Math.ceil(trainSamples / batchSize);
    return {
      trainSamples,
      batchSize,
      stepsPerEpoch,
      epochs: config.train.epochs,
      secondsPerSample,
      epochSeconds: secondsPerSample * trainSamples,
      backend,
      probeBatch,
      memoryNote: backend === 'wasm' ? await wasmMemoryNote(model, config, trainSamples) : null,
    };
  } finally {
    sgd.dispose();
    model.dispose();
  }
}
