import * as tf from '@tensorflow/tfjs-core';
import { activeWasmHeap } from './simd/heap';
import {
  callWasmKernel,
  input as inputOf,
  release,
  sliceInfo,
  transposeInfo,
  WASM,
} from './wasm-kernel-calls';
import { winogradApplies, winogradFilterGradient3x3 } from './winograd';

/**
 * Conv2DBackpropFilter for the wasm backend, which ships Conv2D and Conv2DBackpropInput
 * but not this one, so training any conv net on wasm fails at its first step without it.
 *
 * The filter gradient is itself a convolution:
 *   dW[kh, kw, ci, co] = sum over n, ho, wo of xPadded[n, ho*s + kh, wo*s + kw, ci] * dy[n, ho, wo, co]
 * Reading ci as the batch, n as the channel being summed and dy as the filter, this is the wasm
 * Conv2D of x as [Ci, H, W, N] with dy as [Ho, Wo, N, Co], dilated by the forward stride s, with the
 * forward padding; its output [Ci, KH, KW, Co] is dW transposed. (The conv2d gradient in tfjs-core
 * rejects forward dilations above 1, so only strides need handling here.)
 *
 * The bottom/right padding is recomputed so that the convolution yields exactly KH x KW outputs:
 * the forward pass may pad, or leave, rows its last window never reads (e.g. stride 2 with pad 1 on
 * an even size), and computing those only to slice them off would waste most of the work when the
 * kernel is small. Where the forward pass leaves rows unread, the input is cropped instead, since
 * a convolution cannot take a negative padding.
 */
/**
 * Positions per chunk of the SIMD kernel's panels: the panels of a 512-channel layer then take
 * 256 KB each. Measured on ResNet-19's layers, 64 and 256 were slower by up to 20%.
 */
const BPF_CHUNK = 128;

const conv2dBackpropFilter: tf.KernelFunc = (args) => {
  const backend = args.backend as tf.KernelBackend;
  const x = inputOf(args.inputs, 'x', tf.Conv2DBackpropFilter);
  const dy = inputOf(args.inputs, 'dy', tf.Conv2DBackpropFilter);
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat === 'NCHW') {
    throw new Error("wasm Conv2DBackpropFilter supports dataFormat 'NHWC' only, as does the wasm Conv2D");
  }
  const [batch, inHeight, inWidth, inChannels] = x.shape;
  const [kernelHeight, kernelWidth, , outChannels] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  const [, outHeight, outWidth, dyChannels] = dy.shape;
  if (outHeight !== info.outHeight || outWidth !== info.outWidth || dyChannels !== outChannels) {
    throw new Error(
      `wasm Conv2DBackpropFilter: dy shape [${dy.shape}] does not match the forward output ` +
        `[${batch},${info.outHeight},${info.outWidth},${outChannels}]`,
    );
  }

  // The SIMD kernel (kernels/simd/kernels/conv-gradients.c): a direct sum into dw, about three times the speed
  // of the convolution below, which XNNPACK runs poorly with a kernel as large as the output map.
  const heap =
    outChannels % 4 === 0 && x.dtype === 'float32' && dy.dtype === 'float32' ? activeWasmHeap() : undefined;
  if (
    heap &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    winogradApplies(kernelHeight, kernelWidth, inChannels, outChannels)
  ) {
    // 3x3 stride 1 (most of a ResNet): Winograd, 16 products per 2x2 outputs where this sum has 36.
    return winogradFilterGradient3x3(heap, x, dy, info.padInfo.top, info.padInfo.left);
  }
  if (heap) {
    const chunk = BPF_CHUNK;
    // Input channels in fours: one tap's pixels; otherwise every tap's (conv-gradients.c says why).
    const xPanel =
      Math.ceil((inChannels % 4 === 0 ? inChannels : kernelHeight * kernelWidth * inChannels) / 4) *
      4 *
      chunk;
    const { f32Ptr } = heap.scratch(xPanel + outChannels * chunk, 0);
    const dw = heap.kernelOutput([...attrs.filterShape]);
    try {
      heap.kernels.conv2d_backprop_filter(
        heap.address(x),
        heap.address(dy),
        dw.ptr,
        batch,
        inHeight,
        inWidth,
        inChannels,
        outHeight,
        outWidth,
        outChannels,
        kernelHeight,
        kernelWidth,
        info.strideHeight,
        info.strideWidth,
        info.padInfo.top,
        info.padInfo.left,
        f32Ptr,
        f32Ptr + 4 * xPanel,
        chunk,
      );
    } finally {
      heap.free(f32Ptr);
    }
    return dw.info;
  }

  const rows = spanAfterPadding(inHeight, kernelHeight, outHeight, info.strideHeight, info.padInfo.top);
  const cols = spanAfterPadding(inWidth, kernelWidth, outWidth, info.strideWidth, info.padInfo.left);
  const temps: tf.TensorInfo[] = [];
  let input = x;
  if (rows.keep < inHeight || cols.keep < inWidth) {
    input = sliceInfo(x, [0, 0, 0, 0], [batch, rows.keep, cols.keep, inChannels], backend);
    temps.push(input);
  }
  const xByChannel = transposeInfo(input, [3, 1, 2, 0], backend);
  const dyAsFilter = transposeInfo(dy, [1, 2, 0, 3], backend);
  temps.push(xByChannel, dyAsFilter);
  const explicitPad: tf.backend_util.ExplicitPadding = [
    [0, 0],
    [info.padInfo.top, rows.padEnd],
    [info.padInfo.left, cols.padEnd],
    [0, 0],
  ];
  const gradByChannel = callWasmKernel(
    'Conv2D',
    { x: xByChannel, filter: dyAsFilter },
    {
      strides: [1, 1],
      pad: explicitPad,
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
      dimRoundingMode: undefined,
    },
    backend,
  );
  temps.push(gradByChannel);
  const dw = transposeInfo(gradByChannel, [1, 2, 0, 3], backend);
  release(backend, temps, dw);
  if (dw.shape.join() !== attrs.filterShape.join()) {
    backend.disposeData(dw.dataId);
    throw new Error(`wasm Conv2DBackpropFilter produced [${dw.shape}] instead of [${attrs.filterShape}]`);
  }
  return dw;
};

/**
 * Along one spatial axis: the last padded position the forward windows read is
 * (out - 1) * stride + kernel - 1. Returns how many input rows to keep and how much padding to
 * add after them so the padded length is exactly that span.
 */
export function spanAfterPadding(
  inSize: number,
  kernel: number,
  out: number,
  stride: number,
  padStart: number,
): { keep: number; padEnd: number } {
  const span = (out - 1) * stride + kernel;
  const padEnd = span - padStart - inSize;
  return padEnd >= 0 ? { keep: inSize, padEnd } : { keep: inSize + padEnd, padEnd: 0 };
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: WASM,
  kernelFunc: conv2dBackpropFilter,
};
