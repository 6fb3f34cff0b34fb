import * as tf from '@tensorflow/tfjs-core';
import { activeWasmHeap } from './simd/heap';
import { winogradApplies, winogradConv3x3 } from './winograd';
import {
  callWasmKernel,
  input as inputOf,
  release,
  replaceWasmKernel,
  transposeInfo,
  WASM,
  type WasmHeapAccess,
} from './wasm-kernel-calls';

/**
 * Conv2DBackpropInput on wasm: a SIMD kernel of ours where the input channels come in eights, else
 * a forward convolution.
 *
 * The wasm backend's own kernel is a plain loop, several times slower than its XNNPACK Conv2D
 * (thirteen times for a stride-2 3x3 conv of ResNet-19). The input gradient is a full correlation
 * of dy with the kernel rotated by 180 degrees and its in/out channels swapped:
 *   dx = conv2d(dy', reverse_hw(W)^T(in<->out), padding k - 1 - forward padding before)
 * where dy' is dy itself for stride 1 and, for stride s, dy with s - 1 zeros between neighbours
 * (a transposed convolution): s^2 times the forward's arithmetic, most of it on zeros, but on the
 * fast GEMM. Rows the forward windows never read get zero gradient from zero rows appended to
 * dy'. A forward padding wider than the kernel reaches goes to the original kernel.
 */
function makeBackpropInput(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const backend = args.backend as tf.KernelBackend;
    const dy = inputOf(args.inputs, 'dy', tf.Conv2DBackpropInput);
    const filter = inputOf(args.inputs, 'filter', tf.Conv2DBackpropInput);
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (attrs.dataFormat === 'NCHW' || dy.dtype !== 'float32') return original.kernelFunc(args);
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
    const [, inH, inW] = attrs.inputShape;
    const [batch, outH, outW, outC] = dy.shape;
    const sh = info.strideHeight;
    const sw = info.strideWidth;
    const inC = attrs.inputShape[3];
    // The SIMD kernel (kernels/simd/kernels/conv-gradients.c) scatters dy through the filter directly: faster
    // than the convolution below, and it does no work on zeros at larger strides. It takes the
    // filter packed as [kh, kw, ci / 8, co, ci % 8], so each tile's filter column is contiguous.
    const heap = inC % 8 === 0 && filter.dtype === 'float32' ? activeWasmHeap() : undefined;
    if (heap && sh === 1 && sw === 1 && winogradApplies(kh, kw, outC, inC)) {
      const padTop = kh - 1 - info.padInfo.top;
      const padLeft = kw - 1 - info.padInfo.left;
      if (padTop >= 0 && padLeft >= 0) {
        return winogradConv3x3(heap, dy, filter, true, [...attrs.inputShape], padTop, padLeft);
      }
    }
    if (heap) {
      const packed = heap.kernelOutput([kh, kw, inC / 8, outC, 8]);
      heap.kernels.pack_filter_for_input_gradient(heap.address(filter), packed.ptr, kh, kw, inC, outC);
      const dx = heap.kernelOutput([...attrs.inputShape]);
      heap.kernels.conv2d_backprop_input(
        heap.address(dy),
        packed.ptr,
        dx.ptr,
        batch,
        inH,
        inW,
        inC,
        outH,
        outW,
        outC,
        kh,
        kw,
        sh,
        sw,
        info.padInfo.top,
        info.padInfo.left,
      );
      release(backend, [packed.info]);
      return dx.info;
    }
    const before = [kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left];
    if (before[0] < 0 || before[1] < 0) return original.kernelFunc(args);
    // Length of dy' along each axis, and the padding after it that makes the output inH x inW.
    const spanH = (outH - 1) * sh + 1;
    const spanW = (outW - 1) * sw + 1;
    const afterH = inH + kh - 1 - spanH - before[0];
    const afterW = inW + kw - 1 - spanW - before[1];
    const rowsH = spanH + Math.max(0, -afterH);
    const colsW = spanW + Math.max(0, -afterW);
    const pad: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [before[0], Math.max(0, afterH)],
      [before[1], Math.max(0, afterW)],
      [0, 0],
    ];
    const temps: tf.TensorInfo[] = [];
    let source = dy;
    if (sh !== 1 || sw !== 1 || rowsH !== outH || colsW !== outW) {
      source = spreadOnHeap(
        args.backend as unknown as WasmHeapAccess,
        dy,
        [batch, rowsH, colsW, outC],
        sh,
        sw,
      );
      temps.push(source);
    }
    const rotated = callWasmKernel('Reverse', { x: filter }, { dims: [0, 1] }, backend);
    const swapped = transposeInfo(rotated, [0, 1, 3, 2], backend);
    temps.push(rotated, swapped);
    const dx = callWasmKernel(
      'Conv2D',
      { x: source, filter: swapped },
      { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined },
      backend,
    );
    release(backend, temps, dx);
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

/**
 * dy with its rows and columns spread `sh` and `sw` apart (zeros between), in a zeroed
 * [batch, rows, cols, channels] tensor on the wasm heap that may also be larger than the spread
 * needs (trailing zero rows and columns).
 */
function spreadOnHeap(
  heap: WasmHeapAccess,
  dy: tf.TensorInfo,
  shape: [number, number, number, number],
  sh: number,
  sw: number,
): tf.TensorInfo {
  const out = heap.makeOutput(shape, 'float32');
  // Views only after the allocation, which may have grown (and so replaced) the heap.
  const target = heap.typedArrayFromHeap(out) as Float32Array;
  const values = heap.typedArrayFromHeap(dy) as Float32Array;
  target.fill(0);
  const [batch, rows, cols, C] = shape;
  const [, outH, outW] = dy.shape;
  let src = 0;
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < outH; h++) {
      let dst = (n * rows + h * sh) * cols * C;
      for (let w = 0; w < outW; w++, dst += sw * C) {
        for (let c = 0; c < C; c++) target[dst + c] = values[src++];
      }
    }
  }
  return out;
}

/** Replaces the wasm Conv2DBackpropInput with the fast path above. Idempotent. */
export function installFastConv2dBackpropInput(): boolean {
  return replaceWasmKernel(tf.Conv2DBackpropInput, makeBackpropInput);
}
