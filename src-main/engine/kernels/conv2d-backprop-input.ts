import * as tf from '@tensorflow/tfjs-core';
import { callWasmKernel, input as inputOf, release, transposeInfo, WASM } from './wasm-kernel-calls';

/**
 * Conv2DBackpropInput for stride-1 convolutions on wasm, as a forward convolution.
 *
 * The wasm backend's own kernel is a plain loop, several times slower than its XNNPACK Conv2D.
 * For stride 1 the input gradient is a full correlation of dy with the kernel rotated by 180
 * degrees and its in/out channels swapped:
 *   dx = conv2d(dy, reverse_hw(W)^T(in<->out), padding k - 1 - forward padding on each side)
 * Strided convolutions (downsampling layers) and anything unusual go to the original kernel.
 */
function makeBackpropInput(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const backend = args.backend as tf.KernelBackend;
    const dy = inputOf(args.inputs, 'dy', tf.Conv2DBackpropInput);
    const filter = inputOf(args.inputs, 'filter', tf.Conv2DBackpropInput);
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const strides = Array.isArray(attrs.strides) ? attrs.strides : [attrs.strides, attrs.strides];
    if (attrs.dataFormat === 'NCHW' || strides[0] !== 1 || strides[1] !== 1 || dy.dtype !== 'float32') {
      return original.kernelFunc(args);
    }
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      'channelsLast',
    );
    const [kh, kw] = filter.shape;
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [kh - 1 - info.padInfo.top, kh - 1 - info.padInfo.bottom],
      [kw - 1 - info.padInfo.left, kw - 1 - info.padInfo.right],
      [0, 0],
    ];
    if (pad.some(([a, b]) => a < 0 || b < 0)) return original.kernelFunc(args);
    const rotated = callWasmKernel('Reverse', { x: filter }, { dims: [0, 1] }, backend);
    const swapped = transposeInfo(rotated, [0, 1, 3, 2], backend);
    const dx = callWasmKernel(
      'Conv2D',
      { x: dy, filter: swapped },
      { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined },
      backend,
    );
    release(backend, [rotated, swapped], dx);
    if (dx.shape.join() !== attrs.inputShape.join()) {
      backend.disposeData(dx.dataId);
      return original.kernelFunc(args);
    }
    return dx;
  };
  // The original's setup binds its wasm function; it must run when the backend initialises after
  // this replacement is registered, or the fallback calls an unbound function.
  return {
    kernelName: tf.Conv2DBackpropInput,
    backendName: WASM,
    kernelFunc,
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
  };
}

/** Replaces the wasm Conv2DBackpropInput with the stride-1 fast path above. Idempotent. */
export function installFastConv2dBackpropInput(): boolean {
  const current = tf.getKernel(tf.Conv2DBackpropInput, WASM);
  if (!current || (current as { glifFast?: boolean }).glifFast) return false;
  tf.unregisterKernel(tf.Conv2DBackpropInput, WASM);
  tf.registerKernel({ ...makeBackpropInput(current), glifFast: true } as tf.KernelConfig);
  return true;
}
