import type * as tf from '@tensorflow/tfjs-core';
import type { CoefficientGradients, RectangleWindow, StepCoefficientArrays } from '../../glif/fused-loops';
import type { ResetForm } from '../../glif/variants';
import type { WasmHeap } from './heap';

/**
 * The fused GLIF op's loops (glif/fused-loops.ts) as WebAssembly SIMD kernels (kernels/glif.c) on the
 * wasm backend's heap: the input is read where it lies and the outputs are written straight into
 * new tensors, with no dataSync copy either way.
 *
 * The kernels take four channels at a time, so the coefficients are repeated to a period Q that
 * is a multiple of 4 (Q = lcm(P, 4): the channel count itself for the usual multiples of 4, 4 for
 * layer-wise scalars). Shapes whose step size is not a multiple of Q use the JS loops.
 */

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The coefficient period for P slots and M elements per step, or undefined if none fits. */
export function simdPeriod(P: number, M: number): number | undefined {
  const Q = (P * 4) / gcd(P, 4);
  // Beyond a few hundred slots repetition buys nothing; P itself is then a multiple of 4 or not.
  return M % Q === 0 && Q <= 4096 ? Q : undefined;
}

/** Writes per-slot values repeated to period Q at float32 offset `at` of the scratch. */
function writeRepeated(heap: WasmHeap, ptr: number, at: number, values: Float32Array, Q: number): void {
  const P = values.length;
  const out = new Float32Array(Q);
  for (let q = 0; q < Q; q++) out[q] = values[q % P];
  heap.writeF32(ptr, out, at);
}

/** The per-step gains [T * P] repeated to [T * Q]. */
function writeRepeatedGain(
  heap: WasmHeap,
  ptr: number,
  at: number,
  k: StepCoefficientArrays,
  Q: number,
): void {
  const { P, T, gain } = k;
  const out = new Float32Array(T * Q);
  for (let t = 0; t < T; t++) for (let q = 0; q < Q; q++) out[t * Q + q] = gain[t * P + (q % P)];
  heap.writeF32(ptr, out, at);
}

export interface SimdForwardResult {
  /** Spikes, or spikes then membranes as [2, ...x.shape] when recorded. */
  readonly value: tf.Tensor;
  /** The membrane for the backward pass when it is not part of `value`. */
  readonly membrane?: tf.Tensor;
}

/**
 * Runs the forward loop. `membrane`: 'none' for inference (spikes only), 'output' to return
 * it inside `value`, 'separate' to return it beside (training without recording it).
 */
export function glifForwardSimd(
  heap: WasmHeap,
  x: tf.Tensor,
  k: StepCoefficientArrays,
  reset: ResetForm,
  Q: number,
  membrane: 'none' | 'output' | 'separate',
): SimdForwardResult {
  const { T } = k;
  const size = x.size;
  const M = size / T;
  const { f32Ptr } = heap.scratch(5 * Q + T * Q, 0);
  try {
    writeRepeated(heap, f32Ptr, 0, k.decay, Q);
    writeRepeated(heap, f32Ptr, Q, k.keepAfterSpike, Q);
    writeRepeated(heap, f32Ptr, 2 * Q, k.linear, Q);
    writeRepeated(heap, f32Ptr, 3 * Q, k.soft, Q);
    writeRepeated(heap, f32Ptr, 4 * Q, k.threshold, Q);
    writeRepeatedGain(heap, f32Ptr, 5 * Q, k, Q);
    const out = heap.output(membrane === 'output' ? [2, ...x.shape] : [...x.shape]);
    const separate = membrane === 'separate' ? heap.output([size]) : undefined;
    const membranePtr =
      membrane === 'output' ? out.ptr + 4 * size : membrane === 'separate' ? separate!.ptr : 0;
    heap.kernels.glif_forward(
      heap.address(x),
      out.ptr,
      membranePtr,
      f32Ptr,
      T,
      M,
      Q,
      reset === 'paper-figure' ? 1 : 0,
    );
    return { value: out.tensor, membrane: separate?.tensor };
  } finally {
    heap.free(f32Ptr);
  }
}

export interface SimdBackwardInputs {
  readonly x: tf.Tensor;
  /** The forward output: spikes, or [2, ...] spikes then membranes. */
  readonly value: tf.Tensor;
  /** Where the membrane lies: in `value` after the spikes, or this tensor. */
  readonly membrane?: tf.Tensor;
  /** dL/d(value): [size] or [2 * size] with the membrane's gradient after the spikes'. */
  readonly dy: tf.Tensor;
}

/** BPTT; returns dL/dx as a tensor and the coefficient gradients as glifBackwardLoop does. */
export function glifBackwardSimd(
  heap: WasmHeap,
  inp: SimdBackwardInputs,
  k: StepCoefficientArrays,
  reset: ResetForm,
  window: RectangleWindow,
  Q: number,
): { dx: tf.Tensor; grads: CoefficientGradients } {
  const { P, T } = k;
  const size = inp.x.size;
  const M = size / T;
  const accCount = 5 * Q + T * Q;
  // float32: the coefficients, then (5 + T) Q partial sums; float64: the totals.
  const { f32Ptr, f64Ptr } = heap.scratch(6 * Q + T * Q + accCount, accCount);
  try {
    writeRepeated(heap, f32Ptr, 0, k.decay, Q);
    writeRepeated(heap, f32Ptr, Q, k.hard, Q);
    writeRepeated(heap, f32Ptr, 2 * Q, k.keepAfterSpike, Q);
    writeRepeated(heap, f32Ptr, 3 * Q, k.linear, Q);
    writeRepeated(heap, f32Ptr, 4 * Q, k.soft, Q);
    writeRepeated(heap, f32Ptr, 5 * Q, k.threshold, Q);
    writeRepeatedGain(heap, f32Ptr, 6 * Q, k, Q);
    const dx = heap.output([...inp.x.shape]);
    const valuePtr = heap.address(inp.value);
    const dyPtr = heap.address(inp.dy);
    const recorded = inp.membrane === undefined;
    heap.kernels.glif_backward(
      heap.address(inp.x),
      valuePtr,
      recorded ? valuePtr + 4 * size : heap.address(inp.membrane!),
      dyPtr,
      recorded ? dyPtr + 4 * size : 0,
      dx.ptr,
      f32Ptr,
      f32Ptr + 4 * (6 * Q + T * Q),
      f64Ptr,
      T,
      M,
      Q,
      reset === 'paper-figure' ? 1 : 0,
      window.half,
      window.height,
    );
    const acc = heap.readF64(f64Ptr, accCount);
    const gain = new Float64Array(T * P);
    for (let t = 0; t < T; t++) for (let q = 0; q < Q; q++) gain[t * P + (q % P)] += acc[5 * Q + t * Q + q];
    return {
      dx: dx.tensor,
      grads: {
        decay: foldSlots(acc, 0, P, Q),
        hard: foldSlots(acc, Q, P, Q),
        linear: foldSlots(acc, 2 * Q, P, Q),
        soft: foldSlots(acc, 3 * Q, P, Q),
        threshold: foldSlots(acc, 4 * Q, P, Q),
        gain,
      },
    };
  } finally {
    heap.free(f32Ptr);
  }
}

/**
 * Folds the Q repeated slots of one accumulator block back onto the P parameters. A function of
 * the module, not a closure made per call: V8 optimises each such closure afresh in every replica.
 */
function foldSlots(acc: Float64Array, offset: number, P: number, Q: number): Float64Array {
  const out = new Float64Array(P);
  for (let q = 0; q < Q; q++) out[q % P] += acc[offset + q];
  return out;
}
