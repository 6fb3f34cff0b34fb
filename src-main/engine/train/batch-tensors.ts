import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/dataset';

/**
 * A batch as the model's folded, time-major input [T*N, H, W, C]: static images are repeated
 * over the T steps (direct encoding, reference section 6); frames [N, T, H, W, C] are
 * permuted to time-major.
 */
export function batchInput(batch: Batch, T: number): tf.Tensor4D {
  // Both layouts are copied here rather than by tf.tile or tf.transpose: wasm's Tile and 5-D
  // Transpose compute every element's source index, 27 ms for fmnist-cnn's batch (7% of a step)
  // against well under 1 ms for these block copies.
  if (batch.shape.length === 4) {
    const [n, h, w, c] = batch.shape;
    const per = n * h * w * c;
    const values = new Float32Array(T * per);
    for (let t = 0; t < T; t++) values.set(batch.x.subarray(0, per), t * per);
    return tf.tensor4d(values, [T * n, h, w, c]);
  }
  const [n, t, h, w, c] = batch.shape;
  if (t !== T) throw new Error(`the dataset gives ${t} frames per sample but the model has T=${T}`);
  const frame = h * w * c;
  const values = new Float32Array(T * n * frame);
  for (let s = 0; s < n; s++) {
    for (let k = 0; k < T; k++) {
      const from = (s * T + k) * frame;
      values.set(batch.x.subarray(from, from + frame), (k * n + s) * frame);
    }
  }
  return tf.tensor4d(values, [T * n, h, w, c]);
}

export function batchLabels(batch: Batch, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(batch.y, 'int32'), numClasses) as tf.Tensor2D);
}
