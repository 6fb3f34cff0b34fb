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

/*
 * The loops below are written out rather than passed as closures to a map helper: a closure
 * created on every call is, for V8, a new function to optimise, and with one call per GLIF layer
 * per step each replica thread recompiled them every few steps (--trace-opt: a third of a
 * training run's optimising compiles, on helper threads that compete with the replicas for cores).
 */

/** The fused coefficients from effective values, with the tf-ops path's float32 rounding. */
export function stepCoefficientArrays(v: EffectiveValues): StepCoefficientArrays {
  const { P, T } = v;
  if (!v.a || !v.b || !v.c) {
    // GLIF_f: both leaks, conductance input, hard reset and soft subtraction, no gates.
    return {
      P,
      T,
      decay: v.tau,
      hard: new Float32Array(P).fill(1),
      keepAfterSpike: new Float32Array(P),
      linear: v.leak,
      soft: v.reVth,
      gain: v.g,
      threshold: v.theta,
    };
  }
  const { a, b, c, tau, leak, reVth, g } = v;
  const decay = new Float32Array(P);
  const keepAfterSpike = new Float32Array(P);
  const linear = new Float32Array(P);
  const soft = new Float32Array(P);
  for (let k = 0; k < P; k++) {
    decay[k] = fr(1 - fr(a[k] * fr(1 - tau[k])));
    keepAfterSpike[k] = fr(1 - c[k]);
    linear[k] = fr(fr(1 - a[k]) * leak[k]);
    soft[k] = fr(fr(1 - c[k]) * reVth[k]);
  }
  const gain = new Float32Array(T * P);
  for (let i = 0; i < T * P; i++) gain[i] = fr(1 - fr(b[i % P] * fr(1 - g[i])));
  return { P, T, decay, hard: c, keepAfterSpike, linear, soft, gain, threshold: v.theta };
}

/**
 * Runs the T steps from u = 0, S = 0. Writes S_t (0/1) and u_t (charged, pre-reset) for every
 * element; `x`, `spikes` and `membrane` are [T * M].
 *
 * Written without data-dependent branches (spikes are unpredictable). With S in {0, 1},
 * hard * S and soft * S are exact, and keep * S + (1 - S) is exactly the tf-ops path's
 * fround(1 - hard * S), so only the roundings that the tf-ops path does remain.
 */
export function glifForwardLoop(
  x: Float32Array,
  k: StepCoefficientArrays,
  reset: ResetForm,
  spikes: Float32Array,
  /** Absent for inference, which needs the spikes only: nothing is stored for a backward pass. */
  membrane: Float32Array | undefined,
): void {
  const { P, T, decay, keepAfterSpike, linear, soft, gain, threshold } = k;
  const M = x.length / T;
  const paper = reset === 'paper-figure';
  for (let base = 0; base < M; base += P) {
    for (let c = 0; c < P; c++) {
      const D = decay[c];
      const L = linear[c];
      const Sf = soft[c];
      const keep = keepAfterSpike[c];
      const th = threshold[c];
      let i = base + c;
      // u_{-1} = 0 and S_{-1} = 0: only the leak and the input remain.
      let u = fr(fr(gain[c] * x[i]) - L);
      // +(bool) compiles to a set-on-compare; a ?: branch mispredicts on every other spike.
      let s = +(u > th);
      spikes[i] = s;
      if (membrane) membrane[i] = u;
      for (let t = 1; t < T; t++) {
        i += M;
        const drive = fr(gain[t * P + c] * x[i]);
        const kept = keep * s + (1 - s);
        u = paper
          ? // The overview figure: the hard reset also removes the linear leak.
            fr(fr(fr(fr(fr(D * u) - L) * kept) - Sf * s) + drive)
          : // The code: the hard reset scales only the exponential part; the linear leak always applies.
            fr(fr(fr(fr(fr(D * u) * kept) - L) + drive) - Sf * s);
        // fround(u - th) > 0 exactly when u > th: both are float32 values.
        s = +(u > th);
        spikes[i] = s;
        if (membrane) membrane[i] = u;
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
 *
 * Per element, with S = S_{t-1} in {0, 1} and kept = 1 - hard S (exactly as in the forward):
 *   code:   du_t/du_{t-1} = decay kept,  du_t/dS_{t-1} = -hard decay u_{t-1} - soft
 *           du_t/ddecay = u_{t-1} kept,  du_t/dhard = -decay u_{t-1} S,  du_t/dlinear = -1
 *   paper:  with leaked = decay u_{t-1} - linear,
 *           du_t/dS_{t-1} = -hard leaked - soft,  du_t/dhard = -leaked S,  du_t/dlinear = -kept
 *   both:   du_t/dsoft = -S,  du_t/dgain_t = x_t,  du_t/dx_t = gain_t,
 *           dS_t/du_t = -dS_t/dthreshold = height 1[|u_t - threshold| < half].
 * Sums are kept positive inside the element loop and negated once when added to the totals.
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
      const D = decay[c];
      const H = hard[c];
      const L = linear[c];
      const Sf = soft[c];
      const keep = keepAfterSpike[c];
      const th = threshold[c];
      // Adjoints of u_t and S_t arriving from step t + 1.
      let carryU = 0;
      let carryS = 0;
      let accDecay = 0;
      let accHard = 0;
      let accLinear = 0;
      let accSoft = 0;
      let accTh = 0;
      let i = base + c + (T - 1) * M;
      for (let t = T - 1; t >= 0; t--, i -= M) {
        const z = fr(membrane[i] - th);
        // The window as a 0/1 factor (branch-free), times dy like the tf-ops surrogate's mul.
        const viaSpike = (dSpikes[i] + carryS) * (+(Math.abs(z) < half) * height);
        const gu = dMembrane !== undefined ? dMembrane[i] + viaSpike + carryU : viaSpike + carryU;
        accTh += viaSpike;
        const tc = t * P + c;
        dx[i] = gu * gain[tc];
        gGain[tc] += gu * x[i];
        if (t === 0) {
          accLinear += gu;
          break;
        }
        const up = membrane[i - M];
        const s = spikes[i - M];
        const kept = keep * s + (1 - s);
        const guD = gu * D;
        accDecay += gu * up * kept;
        accSoft += gu * s;
        carryU = guD * kept;
        if (paper) {
          const leaked = D * up - L;
          accLinear += gu * kept;
          accHard += gu * leaked * s;
          carryS = -gu * (H * leaked + Sf);
        } else {
          accLinear += gu;
          accHard += guD * up * s;
          carryS = -(H * guD * up + gu * Sf);
        }
      }
      g.decay[c] += accDecay;
      g.hard[c] -= accHard;
      g.linear[c] -= accLinear;
      g.soft[c] -= accSoft;
      g.threshold[c] -= accTh;
    }
  }
  return g;
}
