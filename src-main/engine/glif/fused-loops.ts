import type { ResetForm } from './variants';

/**
 * The GLIF time loop (reference glif.md sections 1.2 and 4) on plain typed arrays.
 *
 * Layout: time-major, channels last. The input holds T steps of M elements each; element m of
 * a step belongs to parameter slot m % P (P = channels, or 1 for layer-wise scalars).
 *
 * The forward pass rounds to float32 after every operation, in the order the tf-ops path
 * (neuron.ts) applies its ops, so membranes and spikes are bit-identical to it: a spike decided
 * by a last-bit difference of u - V_th would otherwise differ now and then on large layers.
 * The backward pass runs in float64 (values are exact float32 inputs) and only rounds its results.
 */

const fr = Math.fround;

/**
 * The per-slot coefficients of one update, as float32 values:
 *   code:          u_t = decay u_{t-1} (1 - hard S_{t-1}) - linear + gain_t x_t - soft S_{t-1}
 *   paper-figure:  u_t = (decay u_{t-1} - linear)(1 - hard S_{t-1}) - soft S_{t-1} + gain_t x_t
 */
export interface StepCoefficientArrays {
  /** Parameter slots: channels, or 1 for layer-wise parameters. */
  readonly P: number;
  readonly T: number;
  readonly decay: Float32Array;
  readonly hard: Float32Array;
  /** 1 - hard, rounded as the tf-ops path rounds 1 - hard * S for S = 1. */
  readonly keepAfterSpike: Float32Array;
  readonly linear: Float32Array;
  readonly soft: Float32Array;
  /** [T * P], step-major. */
  readonly gain: Float32Array;
  readonly threshold: Float32Array;
}

/** Effective (post-sigmoid, post-gate-mode) values; gates are absent for GLIF_f. */
export interface EffectiveValues {
  readonly P: number;
  readonly T: number;
  readonly a?: Float32Array;
  readonly b?: Float32Array;
  readonly c?: Float32Array;
  readonly tau: Float32Array;
  readonly leak: Float32Array;
  readonly reVth: Float32Array;
  /** [T * P] */
  readonly g: Float32Array;
  readonly theta: Float32Array;
}

/** The rectangular surrogate dS/dz = height * 1[|z| < half]. */
export interface RectangleWindow {
  readonly half: number;
  readonly height: number;
}

function map(n: number, f: (i: number) => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}

/** The fused coefficients from effective values, with the tf-ops path's float32 rounding. */
export function stepCoefficientArrays(v: EffectiveValues): StepCoefficientArrays {
  const { P, T } = v;
  if (!v.a || !v.b || !v.c) {
    // GLIF_f: both leaks, conductance input, hard reset and soft subtraction, no gates.
    return {
      P,
      T,
      decay: v.tau,
      hard: map(P, () => 1),
      keepAfterSpike: map(P, () => 0),
      linear: v.leak,
      soft: v.reVth,
      gain: v.g,
      threshold: v.theta,
    };
  }
  const { a, b, c } = v;
  return {
    P,
    T,
    decay: map(P, (k) => fr(1 - fr(a[k] * fr(1 - v.tau[k])))),
    hard: c,
    keepAfterSpike: map(P, (k) => fr(1 - c[k])),
    linear: map(P, (k) => fr(fr(1 - a[k]) * v.leak[k])),
    soft: map(P, (k) => fr(fr(1 - c[k]) * v.reVth[k])),
    gain: map(T * P, (i) => fr(1 - fr(b[i % P] * fr(1 - v.g[i])))),
    threshold: v.theta,
  };
}

/**
 * Runs the T steps from u = 0, S = 0. Writes S_t (0/1) and u_t (charged, pre-reset) for every
 * element; `x`, `spikes` and `membrane` are [T * M].
 */
export function glifForwardLoop(
  x: Float32Array,
  k: StepCoefficientArrays,
  reset: ResetForm,
  spikes: Float32Array,
  membrane: Float32Array,
): void {
  const { P, T, decay, keepAfterSpike, linear, soft, gain, threshold } = k;
  const M = x.length / T;
  const paper = reset === 'paper-figure';
  for (let base = 0; base < M; base += P) {
    for (let c = 0; c < P; c++) {
      const m = base + c;
      const D = decay[c];
      const L = linear[c];
      const Sf = soft[c];
      const keep = keepAfterSpike[c];
      const th = threshold[c];
      let u = 0;
      let s = false;
      for (let t = 0, i = m; t < T; t++, i += M) {
        const drive = fr(gain[t * P + c] * x[i]);
        if (t === 0) {
          u = fr(drive - L);
        } else if (!paper) {
          // The hard reset scales only the exponential part; the linear leak always applies.
          const decayed = fr(D * u);
          u = fr(fr((s ? fr(decayed * keep) : decayed) - L) + drive);
          if (s) u = fr(u - Sf);
        } else {
          const leaked = fr(fr(D * u) - L);
          u = fr((s ? fr(fr(leaked * keep) - Sf) : leaked) + drive);
        }
        // fround(u - th) > 0 exactly when u > th: both are float32 values.
        s = u > th;
        spikes[i] = s ? 1 : 0;
        membrane[i] = u;
      }
    }
  }
}

/** Gradients with respect to the coefficients, summed over elements (and time) in float64. */
export interface CoefficientGradients {
  readonly decay: Float64Array;
  readonly hard: Float64Array;
  readonly linear: Float64Array;
  readonly soft: Float64Array;
  readonly threshold: Float64Array;
  /** [T * P], one per step. */
  readonly gain: Float64Array;
}

export interface BackwardInputs {
  readonly x: Float32Array;
  readonly spikes: Float32Array;
  readonly membrane: Float32Array;
  /** dL/dS_t, [T * M]. */
  readonly dSpikes: Float32Array;
  /** dL/du_t when the membrane output is used downstream, [T * M]. */
  readonly dMembrane?: Float32Array;
}

/**
 * BPTT through the unrolled loop: the local derivatives of reference section 4, with the
 * paths through the previous spike in both reset terms (nothing detached). Writes dL/dx into
 * `dx` and returns the coefficient gradients.
 */
export function glifBackwardLoop(
  inp: BackwardInputs,
  k: StepCoefficientArrays,
  reset: ResetForm,
  window: RectangleWindow,
  dx: Float32Array,
): CoefficientGradients {
  const { P, T, decay, hard, keepAfterSpike, linear, soft, gain, threshold } = k;
  const { x, spikes, membrane, dSpikes, dMembrane } = inp;
  const M = x.length / T;
  const paper = reset === 'paper-figure';
  const { half, height } = window;
  const g: CoefficientGradients = {
    decay: new Float64Array(P),
    hard: new Float64Array(P),
    linear: new Float64Array(P),
    soft: new Float64Array(P),
    threshold: new Float64Array(P),
    gain: new Float64Array(T * P),
  };
  const gGain = g.gain;
  for (let base = 0; base < M; base += P) {
    for (let c = 0; c < P; c++) {
      const m = base + c;
      const D = decay[c];
      const H = hard[c];
      const L = linear[c];
      const Sf = soft[c];
      const keep = keepAfterSpike[c];
      const th = threshold[c];
      // Adjoints of u_t and S_t arriving from step t + 1.
      let carryU = 0;
      let carryS = 0;
      let accD = 0;
      let accH = 0;
      let accL = 0;
      let accSoft = 0;
      let accTh = 0;
      for (let t = T - 1, i = m + (T - 1) * M; t >= 0; t--, i -= M) {
        const z = fr(membrane[i] - th);
        const gs = dSpikes[i] + carryS;
        const viaSpike = z < half && z > -half ? height * gs : 0;
        const gu = (dMembrane ? dMembrane[i] : 0) + viaSpike + carryU;
        accTh -= viaSpike;
        dx[i] = gu * gain[t * P + c];
        gGain[t * P + c] += gu * x[i];
        if (t === 0) {
          accL -= gu;
          break;
        }
        const up = membrane[i - M];
        const spiked = spikes[i - M] !== 0;
        if (!paper) {
          accL -= gu;
          if (spiked) {
            accD += gu * up * keep;
            accH -= gu * D * up;
            accSoft -= gu;
            carryU = gu * D * keep;
          } else {
            accD += gu * up;
            carryU = gu * D;
          }
          carryS = gu * (-H * D * up - Sf);
        } else {
          const leaked = D * up - L;
          if (spiked) {
            accD += gu * up * keep;
            accL -= gu * keep;
            accH -= gu * leaked;
            accSoft -= gu;
            carryU = gu * D * keep;
          } else {
            accD += gu * up;
            accL -= gu;
            carryU = gu * D;
          }
          carryS = gu * (-H * leaked - Sf);
        }
      }
      g.decay[c] += accD;
      g.hard[c] += accH;
      g.linear[c] += accL;
      g.soft[c] += accSoft;
      g.threshold[c] += accTh;
    }
  }
  return g;
}
