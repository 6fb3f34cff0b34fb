import * as tf from '@tensorflow/tfjs-core';
import { Module, foldTime, unfoldTime, type ForwardContext } from '../nn/module';
import { gatesAreTrainable } from './gates';
import type { ResolvedNeuronImpl } from './impl';
import { initialGateRaw, logit, type GlifInit, type UniformSource } from './init';
import { glifForward } from './neuron';
import type { GlifRawParams } from './params';
import type { Surrogate } from './surrogate';
import { gateMode, type NeuronSpec } from './variants';

export interface GlifLayerOptions {
  /** Channels (features for dense input); ignored for layer-wise layers, which hold scalars. */
  readonly channels: number;
  readonly T: number;
  readonly spec: NeuronSpec;
  readonly init: GlifInit;
  readonly rng: UniformSource;
  readonly surrogate?: Surrogate;
  /** Neuron implementation (impl.ts), resolved where the model is built. */
  readonly impl: ResolvedNeuronImpl;
}

/**
 * A GLIF layer: parameters stored as raw logits under the official attribute names (alpha,
 * beta, gamma, tau, Vth, leak, reVth, conduct), applied to folded [T*N, ..., C] activations.
 */
export class GlifLayer extends Module {
  readonly spec: NeuronSpec;
  readonly T: number;
  readonly channels: number;
  readonly raw: GlifRawParams<tf.Variable>;
  private readonly surrogate?: Surrogate;
  readonly impl: ResolvedNeuronImpl;

  constructor(options: GlifLayerOptions) {
    super();
    const { spec, T, init, rng } = options;
    this.spec = spec;
    this.T = T;
    this.surrogate = options.surrogate;
    this.impl = options.impl;
    const size = spec.layerwise ? 1 : options.channels;
    this.channels = size;
    const shape = spec.layerwise ? [] : [size];
    const filled = (p: number) => tf.fill(shape, logit(p));
    const mode = gateMode(spec.variant);
    const gate = (i: 0 | 1 | 2) =>
      tf.tensor(initialGateRaw(spec.variant, i, init.gates, size, rng, spec.layerwise), shape);
    const trainableGates = gatesAreTrainable(mode);
    const prim = init.primitives;
    // Creation order follows the official module, so parameter lists line up with checkpoints.
    const alpha = mode === 'none' ? undefined : this.param('alpha', gate(0), 'glif-gate', trainableGates);
    const beta = mode === 'none' ? undefined : this.param('beta', gate(1), 'glif-gate', trainableGates);
    // GLIF_f still owns a gamma that its forward never reads (kept for parameter counts and checkpoints).
    const gamma =
      mode === 'none'
        ? this.param('gamma', gate(2), 'glif-gate', false)
        : this.param('gamma', gate(2), 'glif-gate', trainableGates);
    this.raw = {
      alpha,
      beta,
      gamma,
      tau: this.param('tau', filled(prim.tau), 'glif-primitive'),
      vth: this.param('Vth', filled(prim.vth), 'glif-primitive'),
      leak: this.param('leak', filled(prim.leak), 'glif-primitive'),
      reVth: this.param('reVth', filled(prim.reVth), 'glif-primitive'),
      conduct: this.param(
        'conduct',
        tf.fill(spec.layerwise ? [T] : [T, size], logit(prim.conduct)),
        'glif-primitive',
      ),
    };
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    if (ctx.T !== this.T)
      throw new Error(`GLIF layer ${this.path} was built for T=${this.T}, got T=${ctx.T}`);
    return tf.tidy(() => {
      const wantsMembrane = ctx.recorder?.wantsMembrane === true;
      const input = unfoldTime(x, this.T);
      const result = glifForward(input, this.raw, this.spec, {
        recordMembrane: wantsMembrane,
        surrogate: this.surrogate,
        impl: this.impl,
        // Eval mode never trains: no custom gradient or saved state (see GlifForwardOptions).
        inference: !ctx.training,
      });
      ctx.recorder?.record(this.path, ctx.recorder.wantsInput ? { ...result, input } : result);
      return foldTime(result.spikes);
    });
  }
}
