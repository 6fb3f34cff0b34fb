import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import type { Batch } from '../../src-main/engine/data/dataset';
import { batchInput } from '../../src-main/engine/train/batch-tensors';

/** The model's time-major input [T*N, H, W, C] from images (repeated) and from frames (permuted). */
function batchOf(shape: number[]): Batch {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    x: Float32Array.from({ length: size }, (_, i) => i),
    y: new Int32Array(shape[0]!),
    n: shape[0]!,
    shape,
    indices: new Int32Array(shape[0]!),
  };
}

describe('batchInput', () => {
  beforeAll(async () => {
    await initBackend({ only: 'wasm' });
  });

  it('repeats a batch of images over the T steps, time-major', () => {
    const batch = batchOf([3, 2, 2, 2]);
    const x = batchInput(batch, 4);
    expect(x.shape).toEqual([12, 2, 2, 2]);
    const expected = tf.tidy(() =>
      tf.reshape(tf.tile(tf.expandDims(tf.tensor(batch.x, [3, 2, 2, 2]), 0), [4, 1, 1, 1, 1]), [12, 2, 2, 2]),
    );
    expect(Array.from(x.dataSync())).toEqual(Array.from(expected.dataSync()));
    // Step t of sample s sits at row t*N + s and holds the sample itself.
    expect(Array.from(x.slice([2 * 3 + 1], [1]).dataSync())).toEqual(Array.from(batch.x.subarray(8, 16)));
    tf.dispose([x, expected]);
  });

  it('permutes a batch of frames [N, T, ...] to time-major rows', () => {
    const batch = batchOf([2, 3, 2, 1, 2]);
    const x = batchInput(batch, 3);
    expect(x.shape).toEqual([6, 2, 1, 2]);
    const expected = tf.tidy(() =>
      tf.reshape(tf.transpose(tf.tensor(batch.x, [2, 3, 2, 1, 2]), [1, 0, 2, 3, 4]), [6, 2, 1, 2]),
    );
    expect(Array.from(x.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([x, expected]);
  });

  it('refuses frames whose count is not the model T', () => {
    expect(() => batchInput(batchOf([2, 3, 2, 1, 2]), 4)).toThrow(
      /3 frames per sample but the model has T=4/,
    );
  });
});
