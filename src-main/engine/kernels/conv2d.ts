import * as tf from '@tensorflow/tfjs-core';
import { activeWasmHeap } from './simd/heap';
import { input as inputOf, release, replaceWasmKernel, WASM } from './wasm-kernel-calls';
import { winogradApplies, winogradConv3x3 } from './winograd';

/**
 * Conv2D on wasm, for stride 1 with channels in eights, through our input-gradient kernel
 * (conv2d_backprop_input in kernels/simd/kernels/conv-gradients.c) instead of XNNPACK.
 *
 * A stride-1 convolution is the input gradient of another one: scattering x through the filter
 * rotated by 180 degrees, with its in/out channels swapped and the padding k - 1 - p, lands each
 * product where y[h, w] = sum over taps of x[h + kh - p, w + kw - p] w[kh, kw] wants it, and
 * positions outside y are skipped just as outside-x reads are zero in the forward. That kernel
 * packs its filter on every call, as a forward kernel must after every SGD step; XNNPACK repacks
 * too. Measured on ResNet-19's layers (one process, alternating, fresh filter each call), ours took
 * 0.78-0.80x XNNPACK's time: 223 vs 281 ms at 128 channels on 32x32, 188 vs 247 ms at 256 on
 * 16x16, 238 vs 297 ms at 512 on 8x8 (batch 16).
 *
 * 3x3 filters go further, to Winograd's F(4x4, 3x3) (winograd.ts; F(2x2, 3x3), used until
 * 2026-12-02, took 0.35-0.5x XNNPACK's time on the same layers, F(4x4, 3x3) about 0.6x of that
 * again). Strided convolutions, dilations, padding beyond the kernel and channel counts our
 * kernels do not take (a network's first layer) stay on XNNPACK.
 */
export interface Conv2DPlan {
  readonly info: tf.backend_util.Conv2DInfo;
  /** Winograd F(4x4, 3x3) (winograd.ts), or the scatter kernel with these paddings. */
  readonly method: 'winograd' | 'scatter';
  readonly padTop: number;
  readonly padLeft: number;
}

/** Which of our kernels computes this Conv2D, or undefined for XNNPACK. */
export function conv2dPlan(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: tf.Conv2DAttrs,
): Conv2DPlan | undefined {
  const dilations = typeof attrs.dilations === 'number' ? [attrs.dilations] : (attrs.dilations ?? [1]);
  const [kh, kw, inC, outC] = filterShape as [number, number, number, number];
  if (attrs.dataFormat === 'NCHW' || !dilations.every((d) => d === 1)) return undefined;
  const winograd = winogradApplies(kh, kw, inC, outC);
  if (!winograd && (inC % 8 !== 0 || outC % 8 !== 0)) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return undefined;
  if (winograd) return { info, method: 'winograd', padTop: info.padInfo.top, padLeft: info.padInfo.left };
  const padTop = kh - 1 - info.padInfo.top;
  const padLeft = kw - 1 - info.padInfo.left;
  if (padTop < 0 || padLeft < 0) return undefined;
  return { info, method: 'scatter', padTop, padLeft };
}

function makeConv2D(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = inputOf(args.inputs, 'x', tf.Conv2D);
    const filter = inputOf(args.inputs, 'filter', tf.Conv2D);
    const attrs = args.attrs as unknown as tf.Conv2DAttrs;
    const plan =
      x.dtype === 'float32' && filter.dtype === 'float32'
        ? conv2dPlan(x.shape, filter.shape, attrs)
        : undefined;
    const heap = plan ? activeWasmHeap() : undefined;
    if (!plan || !heap) return original.kernelFunc(args);
    const backend = args.backend as tf.KernelBackend;
    const [kh, kw, inC, outC] = filter.shape as [number, number, number, number];
    const { info } = plan;
    if (plan.method === 'winograd') {
      return winogradConv3x3(heap, x, filter, false, info.outShape, plan.padTop, plan.padLeft);
    }
    // The scatter kernel's filter g[kh, kw, co, ci] = w[KH-1-kh, KW-1-kw, ci, co], packed as it
    // wants it, [kh, kw, co / 8, ci, co % 8].
    const packed = heap.kernelOutput([kh, kw, outC / 8, inC, 8]);
    heap.kernels.pack_filter_for_forward(heap.address(filter), packed.ptr, kh, kw, inC, outC);
    const y = heap.kernelOutput([...info.outShape]);
    heap.kernels.conv2d_backprop_input(
      heap.address(x),
      packed.ptr,
      y.ptr,
      info.batchSize,
      info.outHeight,
      info.outWidth,
      outC,
      info.inHeight,
      info.inWidth,
      inC,
      kh,
      kw,
      1,
      1,
      plan.padTop,
      plan.padLeft,
    );
    release(backend, [packed.info]);
    return y.info;
  };
  // The original's setup binds its wasm function, which the fallback needs.
  return {
    kernelName: tf.Conv2D,
    backendName: WASM,
    kernelFunc,
    setupFunc: original.setupFunc,
    disposeFunc: original.disposeFunc,
  };
}

/** Replaces the wasm Conv2D with the path above. Idempotent. */
export function installFastConv2D(): boolean {
  return replaceWasmKernel(tf.Conv2D, makeConv2D);
}
