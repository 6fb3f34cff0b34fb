import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from '../data/dataset';

/**
 * A batch as the model's folded, time-major input [T*N, H, W, C]: static images are repeated
 * over the T steps (direct encoding, reference section 6); frames [N, T, H, W, C] are
 * permuted to time-major.
 */
export function batchInput(batch: Batch, T: number): tf.Tensor4D {
  return tf.tidy(() => {
    const x = tf.tensor(batch.x, [...batch.shape]);
    if (batch.shape.length === 4) {
      const [n, h, w, c] = batch.shape;
      return tf.reshape(tf.tile(tf.expandDims(x, 0), [T, 1, 1, 1, 1]), [T * n, h, w, c]) as tf.Tensor4D;
    }
    const [n, t, h, w, c] = batch.shape;
    if (t !== T) throw new Error(`the dataset gives ${t} frames per sample but the model has T=${T}`);
    return tf.reshape(tf.transpose(x, [1, 0, 2, 3, 4]), [T * n, h, w, c]) as tf.Tensor4D;
  });
}

export function batchLabels(batch: Batch, numClasses: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(batch.y, 'int32'), numClasses) as tf.Tensor2D);
}
