import '../gradients';
import * as tf from '@tensorflow/tfjs-core';
import { missingCase } from '../../contract/exhaustive';
import { glifForwardFused, glifSpikesFused } from './fused';
import { stepCoefficients, type StepCoefficients } from './coefficients';
import type { GlifForwardOptions, GlifForwardResult } from './forward-types';
import type { GlifRawParams } from './params';
import { spikeRect } from './surrogate';
import type { NeuronSpec } from './variants';

/**
 * GLIF over T steps (reference glif.md sections 1.2-1.3), time on axis 0, channels last.
 *
 * State restarts from u = 0, S = 0 on every call. The reset is lazy: S_t is applied while
 * computing u_{t+1}, so u_t is compared to V_th before any reset. Nothing is detached, so the
 * gradient also flows through the previous spike in both reset terms (BPTT with a surrogate).
 */
export function glifForward(
  x: tf.Tensor,
  params: GlifRawParams,
  spec: NeuronSpec,
  options: GlifForwardOptions,
): GlifForwardResult {
  const surrogate = options.surrogate ?? spikeRect;
  const T = params.conduct.shape[0];
  if (x.shape[0] !== T) {
    throw new Error(`GLIF input has ${x.shape[0]} time steps on axis 0; the layer was built for T=${T}`);
  }
  if (options.impl === 'fused') {
    // resolveNeuronImpl never picks `fused` for another surrogate; a caller naming it gets told.
    if (surrogate.kind !== 'rectangle')
      throw new Error('the fused GLIF op supports only the rectangular surrogate (rectangularSurrogate)');
    if (options.inference && !options.recordMembrane) return { spikes: glifSpikesFused(x, params, spec) };
    return glifForwardFused(x, params, spec, {
      recordMembrane: options.recordMembrane,
      surrogateWidth: surrogate.width,
    });
  }
  return tf.tidy(() => {
    const k = stepCoefficients(params, spec, T);
    const gains = tf.unstack(k.gain);
    const inputs = tf.unstack(x);
    const spikes: tf.Tensor[] = [];
    const membranes: tf.Tensor[] = [];
    let u: tf.Tensor | null = null;
    let s: tf.Tensor | null = null;
    for (let t = 0; t < T; t++) {
      const drive = tf.mul(gains[t], inputs[t]);
      if (u === null || s === null) {
        // u_{-1} = 0 and S_{-1} = 0: every term but the leak and the input vanishes.
        u = tf.sub(drive, k.linear);
      } else {
        u = nextMembrane(u, s, drive, k, spec);
      }
      s = surrogate.fn(tf.sub(u, k.threshold));
      spikes.push(s);
      if (options.recordMembrane) membranes.push(u);
    }
    const out: { spikes: tf.Tensor; membrane?: tf.Tensor } = { spikes: tf.stack(spikes) };
    if (options.recordMembrane) out.membrane = tf.stack(membranes);
    return out;
  });
}

function nextMembrane(u: tf.Tensor, s: tf.Tensor, drive: tf.Tensor, k: StepCoefficients, spec: NeuronSpec) {
  const keep = tf.sub(1, tf.mul(k.hard, s));
  const softReset = tf.mul(k.soft, s);
  switch (spec.reset) {
    case 'code':
      // The hard reset multiplies only the exponential part; the linear leak always applies.
      return tf.sub(tf.add(tf.sub(tf.mul(tf.mul(k.decay, u), keep), k.linear), drive), softReset);
    case 'paper-figure':
      // The overview figure: the hard reset removes the whole leaked potential, linear leak included.
      return tf.add(tf.sub(tf.mul(tf.sub(tf.mul(k.decay, u), k.linear), keep), softReset), drive);
    default:
      return missingCase(spec.reset, 'reset form');
  }
}
