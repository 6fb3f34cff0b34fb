import * as tf from '@tensorflow/tfjs-core';
import { effectiveGate } from './gates';
import { requireGate, type GlifRawParams } from './params';
import { gateMode, type NeuronSpec } from './variants';

/**
 * The per-layer coefficients of one update, all broadcastable against a per-step tensor
 * [..., C]:   u_t = decay * u_{t-1} * (1 - hard * S_{t-1}) - linear + gain_t * x_t - soft * S_{t-1}
 */
export interface StepCoefficients {
  readonly decay: tf.Tensor;
  readonly hard: tf.Tensor;
  readonly linear: tf.Tensor;
  readonly soft: tf.Tensor;
  /** One gain per time step: [T, ...]. */
  readonly gain: tf.Tensor;
  readonly threshold: tf.Tensor;
}

/**
 * From the raw parameters, with TF.js ops: the tf-ops neuron (neuron.ts) and the fused webgpu op
 * (fused-webgpu.ts) share them, so both round every coefficient alike.
 */
export function stepCoefficients(p: GlifRawParams, spec: NeuronSpec, T: number): StepCoefficients {
  const tau = tf.sigmoid(p.tau);
  const leak = tf.sigmoid(p.leak);
  const reVth = tf.sigmoid(p.reVth);
  const g = tf.sigmoid(p.conduct);
  const threshold = tf.sigmoid(p.vth);
  const mode = gateMode(spec.variant);
  if (mode === 'none') {
    // GLIF_f (appendix A.3): both leaks, conductance input, hard reset and soft subtraction.
    return { decay: tau, hard: tf.onesLike(tau), linear: leak, soft: reVth, gain: g, threshold };
  }
  const a = effectiveGate(requireGate(p.alpha, 'alpha'), mode);
  const b = effectiveGate(requireGate(p.beta, 'beta'), mode);
  const c = effectiveGate(requireGate(p.gamma, 'gamma'), mode);
  const oneMinusA = tf.sub(1, a);
  const gain = tf.sub(1, tf.mul(b, tf.sub(1, g)));
  if (gain.shape[0] !== T) throw new Error(`conductance has ${gain.shape[0]} steps, the layer has T=${T}`);
  return {
    decay: tf.sub(1, tf.mul(a, tf.sub(1, tau))),
    hard: c,
    linear: tf.mul(oneMinusA, leak),
    soft: tf.mul(tf.sub(1, c), reVth),
    gain,
    threshold,
  };
}
