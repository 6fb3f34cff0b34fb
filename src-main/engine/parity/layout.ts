import * as tf from '@tensorflow/tfjs-core';
import { FixtureError, type FixtureTensor } from './fixture-schema';

/** Fixtures are PyTorch-shaped; the engine is channels-last. */
export type FixtureLayout = 'TNCHW' | 'TNF';

export function fixtureLayout(input: string): FixtureLayout {
  if (input === 'TNCHW' || input === 'TNF') return input;
  throw new FixtureError(`unsupported input layout '${input}' (supported: TNCHW, TNF)`);
}

export function toTensor(t: FixtureTensor): tf.Tensor {
  // The JSON holds the shortest decimal of each float32 value; fround restores its exact bits.
  return tf.tensor(Float32Array.from(t.data, Math.fround), t.shape, 'float32');
}

/** [T,N,C,H,W] -> [T,N,H,W,C]; dense [T,N,F] stays. */
export function toChannelsLast(x: tf.Tensor, layout: FixtureLayout): tf.Tensor {
  return layout === 'TNCHW' ? tf.transpose(x, [0, 1, 3, 4, 2]) : x;
}

export function fromChannelsLast(x: tf.Tensor, layout: FixtureLayout): tf.Tensor {
  return layout === 'TNCHW' ? tf.transpose(x, [0, 1, 4, 2, 3]) : x;
}

/** Conv kernels: PyTorch [O, I, kh, kw] <-> TF.js [kh, kw, I, O]. */
export function oihwToHwio(w: tf.Tensor): tf.Tensor {
  return tf.transpose(w, [2, 3, 1, 0]);
}

export function hwioToOihw(w: tf.Tensor): tf.Tensor {
  return tf.transpose(w, [3, 2, 0, 1]);
}

/** A trainable variable holding a tensor built by `make`, without leaving the temporary behind. */
export function variableFrom(make: () => tf.Tensor): tf.Variable {
  const t = tf.tidy(make);
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}
