import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from '../nn/module';
import { FUSED_TDBN_BACKENDS, type ResolvedNeuronImpl } from './impl';
import { fusedTdBatchNorm } from './tdbn-fused';

export interface TdBatchNormOptions {
  readonly channels: number;
  /** alpha_bn: 1, or 1/sqrt(2) for the second conv of a residual body and for the shortcut. */
  readonly alpha?: number;
  /** V_bn: the module constant 0.5, not the neurons' learnable threshold (reference 7.1). */
  readonly vBn?: number;
  readonly eps?: number;
  readonly momentum?: number;
  /**
   * Plain BatchNorm2d instead (alpha * V_bn = 1): the DVS model uses standard BN (reference 7.7).
   */
  readonly plain?: boolean;
  /**
   * The model's neuron implementation: with `fused` on wasm and cpu, training normalises with the
   * typed-array loops (tdbn-fused.ts), which data-parallel replicas synchronise; elsewhere, TF.js ops.
   */
  readonly impl: ResolvedNeuronImpl;
}

/**
 * Threshold-dependent batch norm (tdBN): y = alpha * V_bn * (x - mean) / sqrt(var + eps) * w + b,
 * per channel (last axis), statistics over every other axis of the folded [T*N, ..., C] input,
 * so they span time and batch. Training uses the batch mean and biased variance and updates
 * running statistics with momentum 0.1, the variance with the unbiased factor n / (n - 1).
 */
export class TdBatchNorm extends Module {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly scale: number;
  readonly eps: number;
  readonly momentum: number;
  readonly impl: ResolvedNeuronImpl;

  constructor(options: TdBatchNormOptions) {
    super();
    const c = options.channels;
    this.scale = options.plain ? 1 : (options.alpha ?? 1) * (options.vBn ?? 0.5);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.impl = options.impl;
    this.weight = this.param('weight', tf.ones([c]));
    this.bias = this.param('bias', tf.zeros([c]));
    this.runningMean = this.buffer('running_mean', tf.zeros([c]));
    this.runningVar = this.buffer('running_var', tf.ones([c]));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    // The same switch as the neuron, where tensors live in plain memory (not on webgpu).
    if (ctx.training && this.impl === 'fused' && FUSED_TDBN_BACKENDS.includes(tf.getBackend())) {
      return tf.tidy(() => {
        const r = fusedTdBatchNorm(x, this.weight, this.bias, this.scale, this.eps);
        this.updateRunningStats(
          tf.tensor(Float32Array.from(r.mean)),
          tf.tensor(Float32Array.from(r.variance)),
          r.count,
        );
        return r.y;
      });
    }
    if (!ctx.training) {
      // Inference: with the running statistics fixed, the whole normalisation is one per-channel
      // affine map, y = x * a + b, folded on [C] vectors: two passes over x instead of five.
      return tf.tidy(() => {
        const a = tf.div(tf.mul(this.weight, this.scale), tf.sqrt(tf.add(this.runningVar, this.eps)));
        const b = tf.sub(this.bias, tf.mul(a, this.runningMean));
        return tf.add(tf.mul(x, a), b);
      });
    }
    return tf.tidy(() => {
      const axes = x.shape.slice(0, -1).map((_, i) => i);
      const { mean, variance } = tf.moments(x, axes);
      this.updateRunningStats(mean, variance, x.size / x.shape[x.shape.length - 1]);
      const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps)));
      const scaled = this.scale === 1 ? normalised : tf.mul(normalised, this.scale);
      return tf.add(tf.mul(scaled, this.weight), this.bias);
    });
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    const m = this.momentum;
    const unbiased = n > 1 ? n / (n - 1) : 1;
    // Assign keeps its own reference, so the values survive the surrounding tidy.
    this.runningMean.assign(tf.add(tf.mul(mean, m), tf.mul(this.runningMean, 1 - m)));
    this.runningVar.assign(tf.add(tf.mul(variance, m * unbiased), tf.mul(this.runningVar, 1 - m)));
  }
}
