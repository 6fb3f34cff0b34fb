import type * as tf from '@tensorflow/tfjs-core';
import { combineMoments, packMoments, type GatherMoments } from '../../glif/tdbn-moments';
import type { WasmHeap } from './heap';

/**
 * Training-mode tdBN's passes (glif/tdbn-fused.ts) as WebAssembly SIMD kernels (kernels/batch-norm.c) on the
 * wasm backend's heap, four channels at a time; channel counts that are not a multiple of 4 use
 * the JS loops. Per-channel sums come back as float64 and are combined across replicas by the
 * caller's `gather` (forward moments, glif/tdbn-moments.ts) or `reduce` (backward sums), exactly
 * where the JS loops do it.
 */

/** Sums over the replicas in place. */
export type ReplicaReduce = (sums: Float64Array[]) => void;

export interface TdbnForwardSimd {
  readonly y: tf.Tensor;
  /** Float64 batch mean and biased variance, for the running statistics. */
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  /** The float32 mean and 1/sqrt(var + eps) the output was computed with (the backward needs them). */
  readonly meanF32: Float32Array;
  readonly invStdF32: Float32Array;
  readonly count: number;
}

/** y = scale * w * (x - mean) / sqrt(var + eps) + b over channels-last x with C channels. */
export function tdbnForwardSimd(
  heap: WasmHeap,
  x: tf.Tensor,
  C: number,
  w: Float32Array,
  b: Float32Array,
  scale: number,
  eps: number,
  gather: GatherMoments,
): TdbnForwardSimd {
  const rows = x.size / C;
  const xPtr = heap.address(x);
  // float32: mean, k = scale w / std, b; float64: sums of x, of squared deviations.
  const { f32Ptr, f64Ptr } = heap.scratch(3 * C, 2 * C);
  try {
    // This shard's moments about its own mean (as float32, the value the pass subtracts).
    heap.kernels.channel_sums(xPtr, f64Ptr, rows, C);
    const sum = heap.readF64(f64Ptr, C);
    const shift = new Float32Array(C);
    for (let c = 0; c < C; c++) shift[c] = sum[c] / rows;
    heap.writeF32(f32Ptr, shift);
    heap.kernels.channel_square_deviations(xPtr, f32Ptr, f64Ptr + 8 * C, rows, C);
    const squares = heap.readF64(f64Ptr + 8 * C, C);
    const { mean, variance, count: n } = combineMoments(gather(packMoments(sum, squares, shift, rows)), C);
    const meanF32 = Float32Array.from(mean);
    const invStdF32 = new Float32Array(C);
    const k = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      const invStd = 1 / Math.sqrt(variance[c] + eps);
      invStdF32[c] = invStd;
      k[c] = scale * w[c] * invStd;
    }
    heap.writeF32(f32Ptr, meanF32);
    heap.writeF32(f32Ptr, k, C);
    heap.writeF32(f32Ptr, b, 2 * C);
    const y = heap.output([...x.shape]);
    heap.kernels.channel_affine(xPtr, y.ptr, f32Ptr, f32Ptr + 4 * C, f32Ptr + 8 * C, rows, C);
    return { y: y.tensor, mean, variance, meanF32, invStdF32, count: n };
  } finally {
    heap.free(f32Ptr);
  }
}

/**
 * The batch-norm backward: dw = sum(dy scale xhat), db = sum(dy), and
 * dx = (g - mean(g) - xhat mean(g xhat)) / std with g = dy scale w, written as one pass
 * dx = dy a + (x - mean) e + d with per-channel a, e, d.
 */
export function tdbnBackwardSimd(
  heap: WasmHeap,
  x: tf.Tensor,
  dy: tf.Tensor,
  C: number,
  w: Float32Array,
  meanF32: Float32Array,
  invStdF32: Float32Array,
  scale: number,
  n: number,
  reduce: ReplicaReduce,
): { dx: tf.Tensor; dw: Float32Array; db: Float32Array } {
  const rows = x.size / C;
  const xPtr = heap.address(x);
  const dyPtr = heap.address(dy);
  // float32: mean, invStd, a, e, d; float64: sum(dy), sum(dy xhat).
  const { f32Ptr, f64Ptr } = heap.scratch(5 * C, 2 * C);
  try {
    heap.writeF32(f32Ptr, meanF32);
    heap.writeF32(f32Ptr, invStdF32, C);
    heap.kernels.batch_norm_grad_sums(xPtr, dyPtr, f32Ptr, f32Ptr + 4 * C, f64Ptr, rows, C);
    const sums = heap.readF64(f64Ptr, 2 * C);
    const dw = new Float32Array(C);
    const db = new Float32Array(C);
    const sumG = new Float64Array(C);
    const sumGX = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      db[c] = sums[c];
      dw[c] = scale * sums[C + c];
      sumG[c] = scale * w[c] * sums[c];
      sumGX[c] = scale * w[c] * sums[C + c];
    }
    reduce([sumG, sumGX]);
    const a = new Float32Array(C);
    const e = new Float32Array(C);
    const d = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      const invStd = invStdF32[c];
      a[c] = scale * w[c] * invStd;
      e[c] = -(sumGX[c] / n) * invStd * invStd;
      d[c] = -(sumG[c] / n) * invStd;
    }
    heap.writeF32(f32Ptr, a, 2 * C);
    heap.writeF32(f32Ptr, e, 3 * C);
    heap.writeF32(f32Ptr, d, 4 * C);
    const dx = heap.output([...x.shape]);
    heap.kernels.batch_norm_grad_input(
      xPtr,
      dyPtr,
      dx.ptr,
      f32Ptr,
      f32Ptr + 8 * C,
      f32Ptr + 12 * C,
      f32Ptr + 16 * C,
      rows,
      C,
    );
    return { dx: dx.tensor, dw, db };
  } finally {
    heap.free(f32Ptr);
  }
}
