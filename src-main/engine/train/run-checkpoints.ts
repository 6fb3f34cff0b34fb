/**
 * A run's checkpoints as the trainer keeps them: where each epoch's file goes, writing one
 * (parameters, buffers, momentum, the data order's random state), pruning old ones, and putting
 * one back into a model (checkpoint.ts holds the file format).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Model } from '../models/model';
import type { Rng } from '../random';
import { CheckpointError, writeCheckpoint, type CheckpointContents } from './checkpoint';
import type { Sgd } from './optimizer';
import type { TrainRequest } from './trainer';

export function checkpointPath(dir: string, epoch: number): string {
  return path.join(dir, `epoch-${String(epoch + 1).padStart(4, '0')}.ckpt`);
}

export async function saveCheckpoint(
  req: TrainRequest,
  model: Model,
  optimizer: Sgd,
  rng: Rng,
  epoch: number,
  step: number,
) {
  const state = optimizer.state();
  return writeCheckpoint(checkpointPath(req.checkpointDir, epoch), {
    epoch,
    step,
    optimizerSteps: state.step,
    rng: rng.getState(),
    tensors: [
      ...model.root
        .parameters()
        .map((p) => ({ kind: 'param' as const, path: p.path, tensor: p.variable as tf.Tensor })),
      ...model.root
        .buffers()
        .map((b) => ({ kind: 'buffer' as const, path: b.path, tensor: b.variable as tf.Tensor })),
      ...[...state.buffers].map(([p, t]) => ({ kind: 'momentum' as const, path: p, tensor: t })),
    ],
    meta: { arch: req.config.model.arch, preset: req.config.preset },
  });
}

export async function pruneCheckpoints(req: TrainRequest, epoch: number): Promise<void> {
  const keep = req.keepCheckpoints ?? 2;
  const old = epoch - keep;
  if (old >= 0) await rm(checkpointPath(req.checkpointDir, old), { force: true });
}

/**
 * Puts a checkpoint's state into the model and optimiser. A checkpoint of another model (a
 * database restored beside the wrong folder, a file copied over) is refused with its file and
 * what differs, before anything is assigned: every tensor must belong to the model with the
 * model's shape, and every parameter and buffer of the model must be in the checkpoint (a
 * partial one would silently continue from freshly initialised weights).
 */
export function restoreCheckpoint(
  model: Model,
  optimizer: Sgd,
  ckpt: CheckpointContents,
  file: string,
  arch: string,
): void {
  const params = new Map(model.root.parameters().map((p) => [p.path, p.variable]));
  const buffers = new Map(model.root.buffers().map((b) => [b.path, b.variable]));
  const trainable = new Map(optimizer.trainable.map((p) => [p.path, p.variable]));
  const momentum = new Map<string, tf.Tensor>();
  const assignments: Array<[tf.Variable, tf.Tensor]> = [];
  try {
    const saved = ckpt.meta.arch;
    if (typeof saved === 'string' && saved !== arch)
      throw new CheckpointError(file, `saved from a ${saved} model; this run trains ${arch}`);
    const seen = new Set<string>();
    for (const t of ckpt.tensors) {
      const target =
        t.kind === 'momentum' ? trainable.get(t.path) : (t.kind === 'param' ? params : buffers).get(t.path);
      const what = t.kind === 'momentum' ? `momentum of ${t.path}` : `tensor ${t.path}`;
      if (!target)
        throw new CheckpointError(
          file,
          t.kind === 'momentum'
            ? `momentum for ${t.path}, which is not a trained parameter of this model`
            : `tensor ${t.path} does not exist in this model`,
        );
      if (target.shape.join() !== t.tensor.shape.join()) {
        throw new CheckpointError(file, `${what} has shape [${t.tensor.shape}], the model [${target.shape}]`);
      }
      if (t.kind === 'momentum') momentum.set(t.path, t.tensor);
      else {
        seen.add(t.path);
        assignments.push([target, t.tensor]);
      }
    }
    const missing = [...params.keys(), ...buffers.keys()].filter((p) => !seen.has(p));
    if (missing.length > 0)
      throw new CheckpointError(
        file,
        `${missing.length} tensor(s) of this model are missing, e.g. ${missing.slice(0, 3).join(', ')}`,
      );
    for (const [target, value] of assignments) target.assign(value);
    optimizer.restore(ckpt.optimizerSteps, momentum);
  } finally {
    for (const t of ckpt.tensors) t.tensor.dispose();
  }
}
