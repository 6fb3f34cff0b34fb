import type { NeuronProbeResult, ProbeTarget } from '../../contract/probe';
import type { BackendName } from '../backend';
import type { RunConfig } from '../config/types';
import { sampleLength, type Batch, type Dataset } from '../data/dataset';
import { openDataset } from '../data/registry';
import type { Model } from '../models/model';
import { Rng } from '../random';
import { buildRunModel, runNeuronImpl } from '../train/build';
import { CheckpointError, readCheckpoint, type CheckpointContents } from '../train/checkpoint';
import { datasetSpec } from '../train/data-spec';
import { cacheRootFromEnv } from '../data/cache-location';
import { ProbeError, probeNeurons } from './neurons';

/** A checkpoint as the store records it. */
export interface ProbeCheckpoint {
  readonly path: string;
  readonly sha256: string;
}

/**
 * Probes a run's network as saved in `checkpoint`: builds the run's model, loads the weights
 * and running statistics, reads the requested test samples and runs probeNeurons. Everything
 * it makes is disposed before it returns. `backend` is the active TF.js backend.
 */
export async function probeRun(opts: {
  readonly config: RunConfig;
  readonly checkpoint: ProbeCheckpoint;
  readonly target: ProbeTarget;
  readonly backend: BackendName;
}): Promise<NeuronProbeResult> {
  const { config, checkpoint, target } = opts;
  if (target.channels.length === 0) throw new ProbeError('no channel to probe');
  if (target.samples.length === 0) throw new ProbeError('no sample to probe');
  // The host's environment is its training workers': a run's cache is where its training put it.
  const dataset = await openDataset(datasetSpec(config, config.train.seed, cacheRootFromEnv(process.env)));
  let model: Model | undefined;
  try {
    const testSize = dataset.info.testSize;
    for (const i of target.samples)
      if (!Number.isInteger(i) || i < 0 || i >= testSize)
        throw new ProbeError(`sample ${i} is out of range: the test split has samples 0..${testSize - 1}`);
    const batch = await testSamples(dataset, target.samples);
    // The initial weights are overwritten by the checkpoint: the seed only has to be valid.
    model = buildRunModel(
      config,
      dataset.info,
      new Rng(config.train.seed),
      runNeuronImpl(config, 'auto', opts.backend),
    );
    const ckpt = await readCheckpoint(checkpoint.path, checkpoint.sha256);
    restoreWeights(model, ckpt, checkpoint.path, config.model.arch);
    return await probeNeurons(model, batch, target, dataset.info.classNames);
  } finally {
    model?.dispose();
    await dataset.close();
  }
}

/** The test samples at `indices` (in that order, repeats allowed) as one batch, unaugmented. */
export async function testSamples(dataset: Dataset, indices: readonly number[]): Promise<Batch> {
  const per = sampleLength(dataset.info);
  const x = new Float32Array(indices.length * per);
  const y = new Int32Array(indices.length);
  const wanted = new Set(indices);
  let shape: readonly number[] = [];
  const limit = Math.max(...indices) + 1;
  // The pass draws nothing from the Rng (no shuffle, no augmentation); the API needs one.
  for await (const b of dataset.batches('test', {
    batchSize: 256,
    shuffle: false,
    augment: false,
    rng: new Rng(0),
    limit,
  })) {
    shape = b.shape;
    for (let k = 0; k < b.n; k++) {
      const index = b.indices[k];
      if (!wanted.has(index)) continue;
      indices.forEach((want, slot) => {
        if (want !== index) return;
        x.set(b.x.subarray(k * per, (k + 1) * per), slot * per);
        y[slot] = b.y[k];
      });
    }
  }
  return {
    x,
    y,
    n: indices.length,
    shape: [indices.length, ...shape.slice(1)],
    indices: Int32Array.from(indices),
  };
}

/**
 * Loads a checkpoint's weights and buffers (tdBN running statistics) into `model`; momentum is
 * for resuming and is ignored. Every tensor of the model must be in the file with its shape.
 * Disposes the checkpoint's tensors.
 */
export function restoreWeights(model: Model, ckpt: CheckpointContents, file: string, arch: string): void {
  try {
    const saved = ckpt.meta.arch;
    if (typeof saved === 'string' && saved !== arch)
      throw new CheckpointError(file, `saved from a ${saved} model; this run is ${arch}`);
    const targets = new Map(
      [...model.root.parameters(), ...model.root.buffers()].map((p) => [p.path, p.variable]),
    );
    const seen = new Set<string>();
    for (const t of ckpt.tensors) {
      if (t.kind === 'momentum') continue;
      const target = targets.get(t.path);
      if (!target) throw new CheckpointError(file, `tensor ${t.path} does not exist in this model`);
      if (target.shape.join() !== t.tensor.shape.join())
        throw new CheckpointError(
          file,
          `tensor ${t.path} has shape [${t.tensor.shape}], the model [${target.shape}]`,
        );
      target.assign(t.tensor);
      seen.add(t.path);
    }
    const missing = [...targets.keys()].filter((p) => !seen.has(p));
    if (missing.length > 0)
      throw new CheckpointError(
        file,
        `${missing.length} tensor(s) of this model are missing, e.g. ${missing.slice(0, 3).join(', ')}`,
      );
  } finally {
    for (const t of ckpt.tensors) t.tensor.dispose();
  }
}
