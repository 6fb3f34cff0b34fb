import * as tf from '@tensorflow/tfjs-core';
import {
  GLIF_GRAD_ROWS,
  backwardUniforms,
  forwardUniforms,
  glifBackwardProgram,
  glifForwardProgram,
  runGlifProgram,
} from '../webgpu/glif-programs';
import { stepCoefficients } from './coefficients';
import { effectiveGate } from './gates';
import type { GlifForwardResult } from './forward-types';
import { requireGate, type GlifRawParams } from './params';
import { gateMode, type GateMode, type NeuronSpec } from './variants';

/**
 * The fused GLIF op on the webgpu backend: the time loop and BPTT as WGSL kernels
 * (webgpu/glif-programs.ts), everything else as TF.js ops on [P] vectors, so nothing leaves
 * the GPU (webgpu in Node cannot read synchronously; the loops of fused.ts need to).
 *
 * The coefficients come from the same ops as the tf-ops neuron (coefficients.ts), so both
 * paths see identical float32 values; the kernels then reproduce its roundings.
 */

/** The op's parameter inputs by name, after x; GLIF_f has the primitives alone. */
const PRIMITIVES = ['tau', 'vth', 'leak', 'reVth', 'conduct'] as const;
const GATES = ['alpha', 'beta', 'gamma'] as const;
type ParamName = (typeof PRIMITIVES)[number] | (typeof GATES)[number];

function paramNames(mode: GateMode): readonly ParamName[] {
  return mode === 'none' ? PRIMITIVES : [...PRIMITIVES, ...GATES];
}

/** The kernels' inputs: coef [6 * P] (GLIF_COEF_ROWS) and gain [T * P]. */
function packedCoefficients(p: GlifRawParams, spec: NeuronSpec, T: number, P: number) {
  const k = stepCoefficients(p, spec, T);
  const row = (t: tf.Tensor) => tf.reshape(t, [P]);
  // 1 - hard, as the tf-ops path computes 1 - hard * S for S = 1 (hard * 1 is exact).
  const keep = tf.sub(1, k.hard);
  const coef = tf.concat([k.decay, k.hard, keep, k.linear, k.soft, k.threshold].map(row));
  return { coef, gain: tf.reshape(k.gain, [T * P]) };
}

/** The number of parameter slots, after checking the shapes the kernels rely on. */
function slots(x: tf.Tensor, p: GlifRawParams, T: number): number {
  const P = p.tau.size;
  if (x.dtype !== 'float32') throw new Error(`GLIF input must be float32, got ${x.dtype}`);
  if (p.conduct.size !== T * P) {
    throw new Error(`GLIF parameter conduct has ${p.conduct.size} values, expected ${T * P} (${P} per step)`);
  }
  if (P > 1 && x.shape[x.rank - 1] !== P) {
    throw new Error(
      `GLIF input has ${x.shape[x.rank - 1]} channels on its last axis, the parameters have ${P}`,
    );
  }
  if (x.size % T !== 0) throw new Error(`GLIF input of ${x.size} values is not T=${T} equal steps`);
  return P;
}

/** Spikes only, for inference: one dispatch, no membrane stored. */
export function glifSpikesWebGpu(
  x: tf.Tensor,
  params: GlifRawParams,
  spec: NeuronSpec,
  scope: string,
): tf.Tensor {
  const T = params.conduct.shape[0];
  const P = slots(x, params, T);
  return tf.tidy(scope, () => {
    if (x.size === 0) return tf.zerosLike(x);
    const { coef, gain } = packedCoefficients(params, spec, T, P);
    const program = glifForwardProgram(spec.reset, false, x.size, T);
    const uniforms = forwardUniforms(x.size / T, P, T);
    return tf.reshape(runGlifProgram(program, [tf.reshape(x, [-1]), coef, gain], uniforms), x.shape);
  });
}

interface CoefficientGradients {
  readonly decay: tf.Tensor;
  readonly hard: tf.Tensor;
  readonly linear: tf.Tensor;
  readonly soft: tf.Tensor;
  readonly threshold: tf.Tensor;
  /** [T, P] */
  readonly gain: tf.Tensor;
}

/**
 * dL/d(raw parameter) from the coefficient gradients: the chain rule of fused.ts
 * (effectiveGradients, rawGradient), as ops on [P] vectors.
 */
function rawGradients(
  p: GlifRawParams,
  mode: GateMode,
  T: number,
  P: number,
  d: CoefficientGradients,
): Partial<Record<ParamName, tf.Tensor>> {
  const vec = (t: tf.Tensor) => tf.reshape(t, [P]);
  const sig = (name: ParamName) =>
    tf.sigmoid(name === 'conduct' ? tf.reshape(p.conduct, [T, P]) : vec(requireGate(p[name], name)));
  const raw = (dEffective: tf.Tensor, name: ParamName, frozen = false) =>
    frozen
      ? tf.zeros([...requireGate(p[name], name).shape])
      : tf.reshape(
          tf.mul(dEffective, tf.mul(sig(name), tf.sub(1, sig(name)))),
          requireGate(p[name], name).shape,
        );
  if (mode === 'none') {
    // GLIF_f: decay = tau, linear = leak, soft = reVth, gain = g; the hard factor is a constant.
    return {
      tau: raw(d.decay, 'tau'),
      vth: raw(d.threshold, 'vth'),
      leak: raw(d.linear, 'leak'),
      reVth: raw(d.soft, 'reVth'),
      conduct: raw(d.gain, 'conduct'),
    };
  }
  const gate = (name: (typeof GATES)[number]) => vec(effectiveGate(requireGate(p[name], name), mode));
  const [a, b, c] = [gate('alpha'), gate('beta'), gate('gamma')];
  const [tau, leak, reVth, g] = [sig('tau'), sig('leak'), sig('reVth'), sig('conduct')];
  const frozen = mode === 'static-soft' || mode === 'static-binary';
  return {
    tau: raw(tf.mul(a, d.decay), 'tau'), // decay = 1 - a (1 - tau)
    vth: raw(d.threshold, 'vth'),
    leak: raw(tf.mul(tf.sub(1, a), d.linear), 'leak'), // linear = (1 - a) l
    reVth: raw(tf.mul(tf.sub(1, c), d.soft), 'reVth'), // soft = (1 - c) v
    conduct: raw(tf.mul(b, d.gain), 'conduct'), // gain_t = 1 - b (1 - g_t)
    alpha: raw(tf.neg(tf.add(tf.mul(tf.sub(1, tau), d.decay), tf.mul(leak, d.linear))), 'alpha', frozen),
    beta: raw(tf.neg(tf.sum(tf.mul(tf.sub(1, g), d.gain), 0)), 'beta', frozen),
    gamma: raw(tf.sub(d.hard, tf.mul(reVth, d.soft)), 'gamma', frozen), // hard = c
  };
}

/** glifForward (neuron.ts) as one fused op on webgpu; `record` also returns the membranes. */
export function glifForwardWebGpu(
  x: tf.Tensor,
  params: GlifRawParams,
  spec: NeuronSpec,
  options: {
    readonly record: boolean;
    readonly window: { half: number; height: number };
    readonly scope: string;
  },
): GlifForwardResult {
  const T = params.conduct.shape[0];
  const P = slots(x, params, T);
  const mode = gateMode(spec.variant);
  const names = paramNames(mode);
  const tensors = [x, ...names.map((name) => requireGate(params[name], name))];
  const size = x.size;
  const lanes = size / T;
  const { record, window } = options;

  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const { coef, gain } = packedCoefficients(params, spec, T, P);
    const flatX = tf.reshape(x, [-1]);
    // Spikes then membranes, [2 * size]: the backward pass needs both.
    const fwd = runGlifProgram(
      glifForwardProgram(spec.reset, true, size, T),
      [flatX, coef, gain],
      forwardUniforms(lanes, P, T),
    );
    save([flatX, fwd, coef, gain]);
    return {
      value: record ? tf.reshape(fwd, [2, ...x.shape]) : tf.reshape(tf.slice(fwd, 0, size), x.shape),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, out, k, gains] = saved;
        const back = runGlifProgram(
          glifBackwardProgram(spec.reset, record, size, T),
          [xs, out, tf.reshape(dy, [-1]), k, gains],
          backwardUniforms(lanes, P, T, window),
        );
        const rows = GLIF_GRAD_ROWS.length;
        // Per-lane shares [rows + T, M] summed per slot: lane m has slot m % P.
        const sums = tf.sum(
          tf.reshape(tf.slice(back, size, (rows + T) * lanes), [rows + T, lanes / P, P]),
          1,
        );
        const [decay, hard, linear, soft, threshold] = tf.unstack(tf.slice(sums, 0, rows));
        const grads = rawGradients(params, mode, T, P, {
          decay,
          hard,
          linear,
          soft,
          threshold,
          gain: tf.slice(sums, rows, T),
        });
        return [
          tf.reshape(tf.slice(back, 0, size), x.shape),
          ...names.map((name) => requireGate(grads[name], name)),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);

  return tf.tidy(options.scope, () => {
    const value = op(...tensors);
    if (!record) return { spikes: value };
    const [spikes, membrane] = tf.unstack(value);
    return { spikes, membrane };
  });
}
