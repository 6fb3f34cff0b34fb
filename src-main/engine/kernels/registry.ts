import * as tf from '@tensorflow/tfjs-core';
import { installFastAvgPoolGrad } from './avg-pool-grad';
import { installFastBatchMatMul } from './batch-mat-mul';
import { installFastConv2D } from './conv2d';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { installFastConv2dBackpropInput } from './conv2d-backprop-input';
import { installSharingCast, installSharingIdentity } from './identity';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum';
import { WASM } from './wasm-kernel-calls';

/**
 * Kernels the wasm backend (tfjs-backend-wasm 4.22) lacks but training needs:
 * Conv2DBackpropFilter (every conv layer's weight gradient) and UnsortedSegmentSum (the
 * gradient of tf.gather). Conv2DBackpropInput, AvgPoolGrad, MaxPoolGrad, Mean, PadV2 and the
 * rest of a conv net's backward pass are native to wasm already.
 * Not provided: DepthwiseConv2dNativeBackpropFilter/Input (no GLIF architecture uses depthwise
 * convolutions).
 */
export const wasmGradientKernels: readonly tf.KernelConfig[] = [
  conv2dBackpropFilterConfig,
  unsortedSegmentSumConfig,
];

/**
 * Registers the kernels above where the wasm backend has none of its own, so a later
 * tfjs-backend-wasm that ships them keeps its native version. Safe to call repeatedly.
 * Returns the names registered by this call.
 */
export function registerWasmGradientKernels(): string[] {
  const added: string[] = [];
  for (const config of wasmGradientKernels) {
    if (tf.getKernel(config.kernelName, WASM) !== undefined) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  // Faster versions of kernels wasm has but implements as plain loops.
  if (installFastConv2dBackpropInput()) added.push(tf.Conv2DBackpropInput);
  if (installFastConv2D()) added.push(tf.Conv2D);
  if (installFastAvgPoolGrad()) added.push(tf.AvgPoolGrad);
  if (installFastBatchMatMul()) added.push(tf.BatchMatMul);
  if (installSharingIdentity()) added.push(tf.Identity);
  if (installSharingCast()) added.push(tf.Cast);
  return added;
}
