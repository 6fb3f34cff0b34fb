import * as tf from '@tensorflow/tfjs-core';

/**
 * Our wasm kernels are compositions of kernels the wasm backend already has. They call
 * those kernels' functions directly, as tfjs's own kernels do, rather than going through
 * tf ops: a kernel runs inside the engine's bookkeeping, so its intermediates must not be
 * recorded on the gradient tape or counted as user tensors. Every intermediate is handed
 * back with `release` once the result no longer needs it.
 */
export const WASM = 'wasm';

/**
 * The wasm backend's own memory access, which its kernels use and its typings keep on the class:
 * an output allocated on the heap, and a view of a tensor's values there (valid only until the
 * next allocation, which may grow the heap and replace its buffer).
 */
export interface WasmHeapAccess {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
}

/**
 * Replaces a kernel the wasm backend has with our faster version, built around the original
 * (for its fallback and its setup, which must still run when the backend initialises). Idempotent:
 * returns false when the kernel is missing or already ours.
 */
export function replaceWasmKernel(
  kernelName: string,
  make: (original: tf.KernelConfig) => tf.KernelConfig,
): boolean {
  const current = tf.getKernel(kernelName, WASM);
  if (!current || (current as { glifFast?: boolean }).glifFast) return false;
  tf.unregisterKernel(kernelName, WASM);
  tf.registerKernel({ ...make(current), glifFast: true } as tf.KernelConfig);
  return true;
}

export function callWasmKernel(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: object,
  backend: tf.KernelBackend,
): tf.TensorInfo {
  const config = tf.getKernel(kernelName, WASM);
  if (config === undefined) {
    throw new Error(`wasm backend has no '${kernelName}' kernel, which a GLIF gradient kernel is built on`);
  }
  // The kernel attribute interfaces (Conv2DAttrs, ...) have no index signature, so they are
  // widened here, at the one place where attributes cross into the registry.
  const out = config.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend });
  if (Array.isArray(out)) {
    throw new Error(`wasm kernel '${kernelName}' returned several outputs where one was expected`);
  }
  return out;
}

/** Frees intermediates; `keep` is the result, which may share a dataId with one of them. */
export function release(
  backend: tf.KernelBackend,
  infos: readonly tf.TensorInfo[],
  keep?: tf.TensorInfo,
): void {
  for (const info of infos) {
    if (info !== keep) backend.disposeData(info.dataId);
  }
}

export function transposeInfo(x: tf.TensorInfo, perm: number[], backend: tf.KernelBackend): tf.TensorInfo {
  return callWasmKernel('Transpose', { x }, { perm }, backend);
}

export function reshapeInfo(x: tf.TensorInfo, shape: number[], backend: tf.KernelBackend): tf.TensorInfo {
  return callWasmKernel('Reshape', { x }, { shape }, backend);
}

export function sliceInfo(
  x: tf.TensorInfo,
  begin: number[],
  size: number[],
  backend: tf.KernelBackend,
): tf.TensorInfo {
  return callWasmKernel('Slice', { x }, { begin, size }, backend);
}

export function castInfo(x: tf.TensorInfo, dtype: tf.DataType, backend: tf.KernelBackend): tf.TensorInfo {
  return callWasmKernel('Cast', { x }, { dtype }, backend);
}

export function input(inputs: tf.NamedTensorInfoMap, name: string, kernelName: string): tf.TensorInfo {
  const info = inputs[name];
  if (info === undefined) throw new Error(`wasm ${kernelName}: missing input '${name}'`);
  return info;
}
