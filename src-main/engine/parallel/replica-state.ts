import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/model';
import type { Sgd } from '../train/optimizer';
import type { ReplicaState } from './protocol';

/** Copies out a model's parameters, buffers and momentum (to send to another thread). */
export function captureState(model: Model, sgd: Sgd): ReplicaState {
  const read = (t: tf.Tensor) => Float32Array.from(t.dataSync() as Float32Array);
  const opt = sgd.state();
  return {
    params: model.root.parameters().map((p) => [p.path, read(p.variable)] as const),
    buffers: model.root.buffers().map((b) => [b.path, read(b.variable)] as const),
    momentum: [...opt.buffers].map(([path, t]) => [path, read(t)] as const),
    optimizerSteps: opt.step,
  };
}

/** Makes a model built from the same config hold `state` exactly. */
export function applyState(model: Model, sgd: Sgd, state: ReplicaState): void {
  const assign = (targets: Map<string, tf.Variable>, entries: ReplicaState['params'], what: string) => {
    for (const [path, values] of entries) {
      const v = targets.get(path);
      if (!v) throw new Error(`replica state: ${what} ${path} does not exist in this model`);
      if (v.size !== values.length)
        throw new Error(`replica state: ${what} ${path} has ${values.length} values, the model ${v.size}`);
      tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
    }
  };
  assign(new Map(model.root.parameters().map((p) => [p.path, p.variable])), state.params, 'parameter');
  assign(new Map(model.root.buffers().map((b) => [b.path, b.variable])), state.buffers, 'buffer');
  const shapes = new Map(model.root.parameters().map((p) => [p.path, p.variable.shape]));
  const momentum = new Map<string, tf.Tensor>();
  for (const [path, values] of state.momentum)
    momentum.set(path, tf.tensor(values, shapes.get(path), 'float32'));
  sgd.restore(state.optimizerSteps, momentum);
  for (const t of momentum.values()) t.dispose();
}
