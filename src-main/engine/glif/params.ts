import type * as tf from '@tensorflow/tfjs-core';

/**
 * The raw (pre-sigmoid) parameters of one GLIF layer, as the official module stores them.
 *
 * Channel-wise: every entry has shape [C] and `conduct` [T, C]. Layer-wise: every entry is a
 * scalar [] and `conduct` [T]. The neuron broadcasts them against the last (channel) axis.
 * Effective values are sigmoid(raw) (gates depend on the variant's gate mode); nothing is clamped.
 */
export interface GlifRawParams<T extends tf.Tensor = tf.Tensor> {
  /** Leak gate: 1 = exponential leak (tau_exp), 0 = linear leak (tau_lin). Absent for GLIF_f. */
  readonly alpha?: T;
  /** Integration gate: 1 = input scaled by g^t, 0 = plain input. Absent for GLIF_f. */
  readonly beta?: T;
  /** Reset gate: 1 = hard reset, 0 = soft reset. GLIF_f owns it but never reads it. */
  readonly gamma?: T;
  /** tau_exp: multiplicative decay of the membrane, in (0, 1). */
  readonly tau: T;
  /** V_th: firing threshold, in (0, 1). */
  readonly vth: T;
  /** tau_lin: amount subtracted every step by the linear leak, in (0, 1). */
  readonly leak: T;
  /** V_re: amount subtracted by the soft reset after a spike, in (0, 1). */
  readonly reVth: T;
  /** g^t: conductance, one per time step: [T, C] or [T]. */
  readonly conduct: T;
}

export const GLIF_PARAM_KEYS = ['alpha', 'beta', 'gamma', 'tau', 'vth', 'leak', 'reVth', 'conduct'] as const;
export type GlifParamKey = (typeof GLIF_PARAM_KEYS)[number];

/** The official module's attribute names (checkpoint keys), for import and parity. */
export const OFFICIAL_PARAM_NAMES: Readonly<Record<GlifParamKey, string>> = {
  alpha: 'alpha',
  beta: 'beta',
  gamma: 'gamma',
  tau: 'tau',
  vth: 'Vth',
  leak: 'leak',
  reVth: 'reVth',
  conduct: 'conduct',
};

/** The paper's names of the quantities, as the UI shows them. */
export const PAPER_PARAM_NAMES: Readonly<Record<GlifParamKey, string>> = {
  alpha: 'alpha',
  beta: 'beta',
  gamma: 'gamma',
  tau: 'tau_exp',
  vth: 'V_th',
  leak: 'tau_lin',
  reVth: 'V_re',
  conduct: 'g^t',
};

/** A gate (or any optional parameter) the variant reads, or one clear error naming it. */
export function requireGate<T extends tf.Tensor>(t: T | undefined, name: string): T {
  if (!t) throw new Error(`this GLIF variant needs the '${name}' gate parameter`);
  return t;
}
