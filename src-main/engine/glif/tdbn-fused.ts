import * as tf from '@tensorflow/tfjs-core';
import { activeWasmHeap } from '../kernels/simd/heap';
import { tdbnBackwardSimd, tdbnForwardSimd } from '../kernels/simd/tdbn-simd';
import { activeGroup } from '../parallel/collective';
import { combineMoments, packMoments } from './tdbn-moments';

/**
 * Training-mode tdBN as one custom op with typed-array loops, for the wasm and cpu backends.
 *
 * Built from TF.js ops, batch norm costs several reductions over every axis but the channel
 * (moments, and in the backward pass the gradients of mean, variance, weight and bias); the
 * wasm backend reduces leading axes by transposing the whole tensor first. Here the statistics
 * and the standard batch-norm backward run in two passes over channels-last data:
 *   xhat = (x - mean) / sqrt(var + eps),  y = scale * w * xhat + b
 *   dw = sum(dy * scale * xhat),  db = sum(dy),  g = dy * scale * w
 *   dx = (g - mean(g) - xhat * mean(g * xhat)) / sqrt(var + eps)
 * Sums are accumulated in float64. The batch mean and biased variance are returned so the
 * caller can update the running statistics.
 *
 * In data-parallel training (parallel/collective.ts) the batch is split across threads, and the
 * replicas exchange per-channel values at the two points where a statistic of the whole batch is
 * needed: each shard's moments in the forward pass (combined into the batch mean and variance,
 * tdbn-moments.ts) and the two sums of the backward pass. The statistics are those of the whole
 * batch, as on one thread (synchronised batch norm), not of each thread's shard.
 *
 * On the wasm backend with a channel count divisible by 4, the passes run as WebAssembly SIMD
 * kernels on the tensors where they lie (kernels/simd/tdbn-simd.ts); the loops below run elsewhere.
 */
export interface FusedBatchNormResult {
  readonly y: tf.Tensor;
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  /** Values per channel the statistics span (over every replica's shard). */
  readonly count: number;
}

/** Every replica's packed forward moments, in rank order (tdbn-moments.ts). */
function gatherOverReplicas(local: Float64Array): Float64Array[] {
  const group = activeGroup();
  return group ? group.allGatherSmall(local) : [local];
}

/** Sums over the replicas of the active group, in place (the backward's two per-channel sums). */
function reduceOverReplicas(sums: Float64Array[]): void {
  const group = activeGroup();
  if (!group) return;
  const C = sums[0].length;
  const packed = new Float64Array(sums.length * C);
  sums.forEach((s, j) => packed.set(s, j * C));
  group.allReduceSmall(packed);
  sums.forEach((s, j) => s.set(packed.subarray(j * C, (j + 1) * C)));
}

export function fusedTdBatchNorm(
  x: tf.Tensor,
  weight: tf.Tensor,
  bias: tf.Tensor,
  scale: number,
  eps: number,
): FusedBatchNormResult {
  const C = x.shape[x.shape.length - 1];
  const localN = x.size / C;
  const stats = { mean: new Float64Array(C), variance: new Float64Array(C), count: localN };
  const heap = C % 4 === 0 ? activeWasmHeap() : undefined;
  const op = tf.customGrad(((xIn: tf.Tensor, wIn: tf.Tensor, bIn: tf.Tensor, save: tf.GradSaveFunc) => {
    if (heap) {
      const w = wIn.dataSync() as Float32Array;
      const f = tdbnForwardSimd(
        heap,
        xIn,
        C,
        w,
        bIn.dataSync() as Float32Array,
        scale,
        eps,
        gatherOverReplicas,
      );
      stats.mean.set(f.mean);
      stats.variance.set(f.variance);
      stats.count = f.count;
      save([xIn]);
      return {
        value: f.y,
        gradFunc: (dyT: tf.Tensor, saved: tf.Tensor[]) => {
          const g = tdbnBackwardSimd(
            heap,
            saved[0],
            dyT,
            C,
            w,
            f.meanF32,
            f.invStdF32,
            scale,
            f.count,
            reduceOverReplicas,
          );
          return [g.dx, tf.tensor(g.dw, [C]), tf.tensor(g.db, [C])];
        },
      };
    }
    const xs = xIn.dataSync() as Float32Array;
    const w = wIn.dataSync() as Float32Array;
    const b = bIn.dataSync() as Float32Array;
    // This shard's moments about its own mean, then the whole batch's (tdbn-moments.ts).
    const size = xs.length;
    const sum = new Float64Array(C);
    // Nested loops over rows and channels: an integer modulo per element costs more than the math.
    for (let row = 0; row < size; row += C) for (let c = 0; c < C; c++) sum[c] += xs[row + c];
    const shift = sum.map((v) => v / localN);
    const squares = new Float64Array(C);
    for (let row = 0; row < size; row += C) {
      for (let c = 0; c < C; c++) {
        const d = xs[row + c] - shift[c];
        squares[c] += d * d;
      }
    }
    const moments = combineMoments(gatherOverReplicas(packMoments(sum, squares, shift, localN)), C);
    const { mean, variance, count: n } = moments;
    stats.mean.set(mean);
    stats.variance.set(variance);
    stats.count = n;
    const invStd = new Float64Array(C);
    for (let c = 0; c < C; c++) invStd[c] = 1 / Math.sqrt(variance[c] + eps);
    const y = new Float32Array(size);
    for (let row = 0; row < size; row += C) {
      for (let c = 0; c < C; c++) {
        const i = row + c;
        y[i] = scale * w[c] * ((xs[i] - mean[c]) * invStd[c]) + b[c];
      }
    }
    const statTensor = tf.tensor2d([...Array.from(mean), ...Array.from(invStd)], [2, C], 'float32');
    save([xIn, wIn, statTensor]);
    return {
      value: tf.tensor(y, xIn.shape, 'float32'),
      gradFunc: (dyT: tf.Tensor, saved: tf.Tensor[]) => {
        const [xSaved, wSaved, st] = saved;
        const x2 = xSaved.dataSync() as Float32Array;
        const w2 = wSaved.dataSync() as Float32Array;
        const s = st.dataSync() as Float32Array;
        const dy = dyT.dataSync() as Float32Array;
        const dw = new Float64Array(C);
        const db = new Float64Array(C);
        const sumG = new Float64Array(C);
        const sumGX = new Float64Array(C);
        const total = dy.length;
        for (let row = 0; row < total; row += C) {
          for (let c = 0; c < C; c++) {
            const i = row + c;
            const xhat = (x2[i] - s[c]) * s[C + c];
            const g = dy[i] * scale * w2[c];
            dw[c] += dy[i] * scale * xhat;
            db[c] += dy[i];
            sumG[c] += g;
            sumGX[c] += g * xhat;
          }
        }
        reduceOverReplicas([sumG, sumGX]);
        const dx = new Float32Array(total);
        for (let row = 0; row < total; row += C) {
          for (let c = 0; c < C; c++) {
            const i = row + c;
            const xhat = (x2[i] - s[c]) * s[C + c];
            const g = dy[i] * scale * w2[c];
            dx[i] = (g - sumG[c] / n - (xhat * sumGX[c]) / n) * s[C + c];
          }
        }
        return [
          tf.tensor(dx, x2.length === dx.length ? xSaved.shape : dyT.shape),
          tf.tensor(Float32Array.from(dw), [C]),
          tf.tensor(Float32Array.from(db), [C]),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = (op as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor)(x, weight, bias);
  return { y, mean: stats.mean, variance: stats.variance, count: stats.count };
}
