import * as tf from '@tensorflow/tfjs-core';
import { activeWasmHeap } from './simd/heap';
import { input as inputOf, replaceWasmKernel, WASM, type WasmHeapAccess } from './wasm-kernel-calls';

/**
 * AvgPoolGrad for non-overlapping windows (filter = stride, no padding: the pooling of every
 * GLIF conv net) on wasm, as one pass over the wasm heap. The backend's own kernel loops over
 * every window position of every input element, several times slower here. Each input element
 * gets dy of its window divided by the window's size; anything else goes to the original kernel.
 */
function makeAvgPoolGrad(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const backend = args.backend as unknown as WasmHeapAccess;
    const dy = inputOf(args.inputs, 'dy', tf.AvgPoolGrad);
    const x = inputOf(args.inputs, 'input', tf.AvgPoolGrad);
    const attrs = args.attrs as unknown as tf.AvgPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
    );
    const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
    const tiled =
      fh === sh &&
      fw === sw &&
      info.padInfo.top === 0 &&
      info.padInfo.left === 0 &&
      info.outHeight * sh === info.inHeight &&
      info.outWidth * sw === info.inWidth &&
      dy.dtype === 'float32';
    if (!tiled) return original.kernelFunc(args);
    const heap = info.inChannels % 4 === 0 ? activeWasmHeap() : undefined;
    if (heap) {
      // The same pass as the loop below, four channels at a time (kernels/simd/kernels/avg-pool.c).
      const dx = heap.kernelOutput([...x.shape]);
      heap.kernels.avg_pool_grad_tiled(
        heap.address(dy),
        dx.ptr,
        info.batchSize,
        info.outHeight,
        info.outWidth,
        info.inChannels,
        fh,
        fw,
        1 / (fh * fw),
      );
      return dx.info;
    }
    const dx = backend.makeOutput([...x.shape], 'float32');
    const out = backend.typedArrayFromHeap(dx) as Float32Array;
    const grad = backend.typedArrayFromHeap(dy) as Float32Array;
    const C = info.inChannels;
    const W = info.inWidth;
    const Wo = info.outWidth;
    const Ho = info.outHeight;
    const scale = 1 / (fh * fw);
    for (let n = 0; n < info.batchSize; n++) {
      for (let ho = 0; ho < Ho; ho++) {
        const dyRow = (n * Ho + ho) * Wo * C;
        for (let kh = 0; kh < fh; kh++) {
          const dxRow = (n * info.inHeight + ho * sh + kh) * W * C;
          for (let wo = 0; wo < Wo; wo++) {
            const src = dyRow + wo * C;
            for (let kw = 0; kw < fw; kw++) {
              const dst = dxRow + (wo * sw + kw) * C;
              for (let c = 0; c < C; c++) out[dst + c] = grad[src + c] * scale;
            }
          }
        }
      }
    }
    return dx;
  };
  return {
    kernelName: tf.AvgPoolGrad,
    backendName: WASM,
    kernelFunc,
    // The original's setup binds its wasm function for the fallback.
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
  };
}

/** Replaces the wasm AvgPoolGrad with the tiled fast path above. Idempotent. */
export function installFastAvgPoolGrad(): boolean {
  return replaceWasmKernel(tf.AvgPoolGrad, makeAvgPoolGrad);
}
