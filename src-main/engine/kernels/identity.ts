import * as tf from '@tensorflow/tfjs-core';
import { input as inputOf, replaceWasmKernel, WASM } from './wasm-kernel-calls';

/**
 * Identity on wasm without a copy. TF.js runs Identity for every tf.clone, and the engine clones
 * every tensor an op saves for its backward pass (the input of each convolution, GLIF's outputs,
 * tdBN's input...), so the wasm kernel's full copy of each one cost a few percent of a training
 * step. Tensors are immutable, so the clone can share the values and count a reference, as the
 * wasm Reshape and the cpu backend's Identity already do; the memory is freed with the last one.
 */
interface RefCounting {
  incRef(dataId: object): void;
}

function makeIdentity(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = inputOf(args.inputs, 'x', tf.Identity);
    if (x.dtype === 'string') return original.kernelFunc(args);
    (args.backend as unknown as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  return { kernelName: tf.Identity, backendName: WASM, kernelFunc };
}

/**
 * Cast to the dtype a tensor already has is an Identity too; tfjs-core's tf.cast does not skip
 * it, and the gradient of every tf.mul casts its other input, so each one cost a full copy.
 */
function makeCast(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = inputOf(args.inputs, 'x', tf.Cast);
    const { dtype } = args.attrs as unknown as tf.CastAttrs;
    if (x.dtype !== dtype || x.dtype === 'string') return original.kernelFunc(args);
    (args.backend as unknown as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
  return { kernelName: tf.Cast, backendName: WASM, kernelFunc };
}

/** Replaces the wasm Identity with the sharing version above. Idempotent. */
export function installSharingIdentity(): boolean {
  return replaceWasmKernel(tf.Identity, makeIdentity);
}

/** Replaces the wasm Cast with one that shares when the dtype does not change. Idempotent. */
export function installSharingCast(): boolean {
  return replaceWasmKernel(tf.Cast, makeCast);
}
