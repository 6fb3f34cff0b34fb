import type * as tf from '@tensorflow/tfjs-core';

/**
 * Reads tensors with `data()` so that a later `dataSync()` on them is a lookup: TF.js backends
 * keep values once read, and webgpu in Node can read only asynchronously (its readSync needs an
 * OffscreenCanvas). Lets the parity checks stay plain synchronous comparisons.
 */
export async function prefetch(tensors: readonly (tf.Tensor | undefined)[]): Promise<void> {
  await Promise.all(tensors.map((t) => t?.data()));
}
