import * as tf from '@tensorflow/tfjs-core';
import {
  callWasmKernel,
  input as inputOf,
  release,
  replaceWasmKernel,
  transposeInfo,
  WASM,
} from './wasm-kernel-calls';

/**
 * BatchMatMul with a transposed operand, on wasm. The backend's kernel runs a transposed operand
 * through strided loads, 5-10x slower than its plain product: both gradients of every linear
 * layer are transposed products (dx = dy·Wᵀ, dW = xᵀ·dy), and on fmnist-cnn's classifier they
 * took 32 of a 410 ms step. Here the transposed operand is laid out plainly first (one pass of the
 * backend's Transpose) and the plain product runs. When that operand is the large one (dW = xᵀ·dy,
 * x is batch x features), the product is taken the other way round, C = (Bᵀ·Aᵀ)ᵀ, which transposes
 * only the small factor and the small result. Of the two orders, the one that moves fewer values
 * is taken; the products are the same sums, so results differ from the original kernel's only by
 * rounding order.
 */
interface Operand {
  readonly info: tf.TensorInfo;
  /** True when the operand's last two axes are swapped relative to how the product reads it. */
  readonly transposed: boolean;
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

/** Values that must be transposed to get the plain product A·B, and to get (Bᵀ·Aᵀ)ᵀ. */
export function transposeCosts(
  a: { size: number; transposed: boolean },
  b: { size: number; transposed: boolean },
  outSize: number,
): { direct: number; swapped: number } {
  return {
    direct: (a.transposed ? a.size : 0) + (b.transposed ? b.size : 0),
    swapped: (a.transposed ? 0 : a.size) + (b.transposed ? 0 : b.size) + outSize,
  };
}

function makeBatchMatMul(original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    const attrs = args.attrs as unknown as tf.BatchMatMulAttrs;
    const a: Operand = { info: inputOf(args.inputs, 'a', tf.BatchMatMul), transposed: attrs.transposeA };
    const b: Operand = { info: inputOf(args.inputs, 'b', tf.BatchMatMul), transposed: attrs.transposeB };
    const rankA = a.info.shape.length;
    const rankB = b.info.shape.length;
    if ((!a.transposed && !b.transposed) || rankA < 2 || rankB < 2 || a.info.dtype !== 'float32') {
      return original.kernelFunc(args);
    }
    const backend = args.backend as tf.KernelBackend;
    const rows = a.info.shape[a.transposed ? rankA - 1 : rankA - 2];
    const cols = b.info.shape[b.transposed ? rankB - 2 : rankB - 1];
    const batchA = tf.util.sizeFromShape(a.info.shape.slice(0, -2));
    const batchB = tf.util.sizeFromShape(b.info.shape.slice(0, -2));
    const outSize = Math.max(batchA, batchB) * rows * cols;
    const costs = transposeCosts(
      { size: tf.util.sizeFromShape(a.info.shape), transposed: a.transposed },
      { size: tf.util.sizeFromShape(b.info.shape), transposed: b.transposed },
      outSize,
    );
    const plain = { transposeA: false, transposeB: false };
    const temps: tf.TensorInfo[] = [];
    const laidOut = (info: tf.TensorInfo, swap: boolean) => {
      if (!swap) return info;
      const t = transposeInfo(info, swapLastTwo(info.shape.length), backend);
      temps.push(t);
      return t;
    };
    if (costs.direct <= costs.swapped) {
      const out = callWasmKernel(
        tf.BatchMatMul,
        { a: laidOut(a.info, a.transposed), b: laidOut(b.info, b.transposed) },
        plain,
        backend,
      );
      release(backend, temps);
      return out;
    }
    // Cᵀ = op(B)ᵀ · op(A)ᵀ, where op(B)ᵀ is B itself when B came transposed, and so on.
    const left = laidOut(b.info, !b.transposed);
    const right = laidOut(a.info, !a.transposed);
    const outT = callWasmKernel(tf.BatchMatMul, { a: left, b: right }, plain, backend);
    temps.push(outT);
    const out = transposeInfo(outT, swapLastTwo(outT.shape.length), backend);
    release(backend, temps);
    return out;
  };
  return { kernelName: tf.BatchMatMul, backendName: WASM, kernelFunc, setupFunc: original.setupFunc };
}

/** Replaces the wasm BatchMatMul with the version above. Idempotent. */
export function installFastBatchMatMul(): boolean {
  return replaceWasmKernel(tf.BatchMatMul, makeBatchMatMul);
}
