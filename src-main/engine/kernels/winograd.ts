import type * as tf from '@tensorflow/tfjs-core';
import type { WasmHeap } from './simd/heap';

/**
 * 3x3 stride-1 convolutions by Winograd's F(4x4, 3x3) on the wasm heap (winograd_conv3x3 in
 * kernels/simd/kernels/winograd.c): 36 multiplications per 4x4 outputs and input channel instead of 144.
 * Used for the forward convolution and for the input gradient (the same convolution of dy with
 * the filter rotated and its channels swapped), and, as F(3x3, 4x4), for the filter gradient
 * (winograd_filter_grad3x3): together nearly all of a ResNet's training step.
 *
 * WebAssembly's 128-bit vectors give a core half the multiply-adds per cycle of the 256-bit
 * vectors PyTorch uses on the same CPU, and our direct kernels already run near that limit
 * (about 25 of 33 GFLOP/s measured), so doing less arithmetic is what is left. The transforms
 * cost a few additions per value. F(4x4, 3x3) replaced F(2x2, 3x3) (16 per 2x2) for 1.5-1.9x
 * less time on ResNet-19's layers, at an error of 1.6e-5 of the largest output at 512 channels
 *  instead of 7.7e-7 (winograd.c). The filter gradient followed, F(3x3, 2x2) to F(3x3, 4x4), for
 * 1.2-1.7x less time at an error of 3.3e-6 of its largest value (512 channels, two images; the
 * direct sum 4.9e-7).
 */

/** Tiles per chunk: the chunk's transformed inputs and products, 36 x 32 x channels floats each. */
const TILES_PER_CHUNK = 32;

/**
 * Tiles per chunk of the filter gradient. Each chunk reads and writes all of M (36 Ci Co floats,
 * 38 MB at 512 channels), so chunks as large as the second-level cache allows pay off over
 * keeping one position's slices in the first: measured on ResNet-19's layers (one thread, ms),
 * 128 channels 88-109 at 64 tiles against 105-117 at 32, 256 channels 76-107 against 98-112 at 16,
 * 512 channels 98-119 against 122-158 at 8; 128 tiles was no better.
 */
const GRADIENT_TILES_PER_CHUNK = 64;

export function winogradApplies(kh: number, kw: number, inC: number, outC: number): boolean {
  return kh === 3 && kw === 3 && inC % 4 === 0 && outC % 8 === 0;
}

/**
 * y [N, Ho, Wo, Co] = conv(x [N, H, W, Ci], filter) with stride 1 and the given top/left padding.
 * `filter` is [3, 3, Ci, Co], or with `rotated` [3, 3, Co, Ci] used flipped (an input gradient).
 */
export function winogradConv3x3(
  heap: WasmHeap,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  rotated: boolean,
  outShape: [number, number, number, number],
  padTop: number,
  padLeft: number,
): tf.TensorInfo {
  const [N, H, W, Ci] = x.shape as [number, number, number, number];
  const [, Ho, Wo, Co] = outShape;
  const tc = TILES_PER_CHUNK;
  const uSize = 36 * Ci * Co;
  const { f32Ptr } = heap.scratch(uSize + 36 * tc * (Ci + Co), 0);
  try {
    heap.kernels.winograd_filter_transform(heap.address(filter), f32Ptr, Ci, Co, rotated ? 1 : 0);
    const y = heap.kernelOutput([...outShape]);
    const vPtr = f32Ptr + 4 * uSize;
    heap.kernels.winograd_conv3x3(
      heap.address(x),
      f32Ptr,
      y.ptr,
      N,
      H,
      W,
      Ci,
      Ho,
      Wo,
      Co,
      padTop,
      padLeft,
      vPtr,
      vPtr + 4 * 36 * tc * Ci,
      tc,
    );
    return y.info;
  } finally {
    heap.free(f32Ptr);
  }
}

/**
 * dw [3, 3, Ci, Co] of a 3x3 stride-1 convolution of x [N, H, W, Ci] giving dy [N, Ho, Wo, Co],
 * with the forward pass's top/left padding (winogradApplies(3, 3, Ci, Co) must hold).
 */
export function winogradFilterGradient3x3(
  heap: WasmHeap,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  padTop: number,
  padLeft: number,
): tf.TensorInfo {
  const [N, H, W, Ci] = x.shape as [number, number, number, number];
  const [, Ho, Wo, Co] = dy.shape as [number, number, number, number];
  const tc = GRADIENT_TILES_PER_CHUNK;
  const mSize = 36 * Ci * Co;
  const vSize = 36 * tc * Ci;
  const { f32Ptr } = heap.scratch(mSize + vSize + 36 * tc * Co, 0);
  try {
    const dw = heap.kernelOutput([3, 3, Ci, Co]);
    heap.kernels.winograd_filter_grad3x3(
      heap.address(x),
      heap.address(dy),
      dw.ptr,
      N,
      H,
      W,
      Ci,
      Ho,
      Wo,
      Co,
      padTop,
      padLeft,
      f32Ptr,
      f32Ptr + 4 * mSize,
      f32Ptr + 4 * (mSize + vSize),
      tc,
    );
    return dw.info;
  } finally {
    heap.free(f32Ptr);
  }
}
