import { missingCase } from '../../contract/exhaustive';
/**
 * Initial values of the GLIF parameters (reference glif.md section 2). Everything is stored as
 * a raw logit r and used as sigmoid(r), so an initial effective value p is stored as logit(p).
 */
import { gateMode, type NeuronVariant } from './variants';

/** Named presets of the primitive initial values. */
export type InitPresetId = 'cifar' | 'imagenet-t4' | 'imagenet-t6' | 'dvs';

export interface PrimitiveInit {
  /** tau_exp, exponential decay factor. */
  readonly tau: number;
  /** V_th, firing threshold. */
  readonly vth: number;
  /** V_re, soft-reset amount (initialised from V_th, then learned independently). */
  readonly reVth: number;
  /** tau_lin, linear leak per step. */
  readonly leak: number;
  /** g^t, conductance, the same initial value at every step. */
  readonly conduct: number;
}

/**
 * tau_lin starts at V_th / (2 * steps) with `steps` a module constant of the official code
 * (4 for CIFAR/ImageNet, 16 for CIFAR10-DVS), not the run's T (section 9.8).
 */
export const PRIMITIVE_PRESETS: Readonly<Record<InitPresetId, PrimitiveInit>> = {
  cifar: { tau: 0.25, vth: 0.5, reVth: 0.5, leak: 0.5 / (2 * 4), conduct: 0.5 },
  // ImageNet starts g^t at 0.5 at T=4 (CIFAR's values) and at 0.9 at T=6, the rest as CIFAR.
  'imagenet-t4': { tau: 0.25, vth: 0.5, reVth: 0.5, leak: 0.5 / (2 * 4), conduct: 0.5 },
  'imagenet-t6': { tau: 0.25, vth: 0.5, reVth: 0.5, leak: 0.5 / (2 * 4), conduct: 0.9 },
  // 0.99999 instead of the paper's 1.0: logit storage cannot hold 1 (section 9.3).
  dvs: { tau: 0.5, vth: 0.99999, reVth: 0.99999, leak: 0.99999 / (2 * 16), conduct: 0.9 },
};

/**
 * Initial gate values for the learnable and static-soft/hard variants (simplex gates are fixed
 * by their bits).
 * - `uniform-raw`: raw ~ U(lo, hi). The code's `--randomgate` is U(-0.1, 0.1), sigmoid in (0.475, 0.525).
 * - `uniform-sigmoid`: sigmoid(raw) ~ U(lo, hi). The paper states [0.4502, 0.5498) (= sigmoid(+-0.2)).
 * - `fixed`: the constructor's `--gate a b c`: p = 0.25 + 0.5 g per gate. The channel-wise
 *   constructor stores raw = logit(p) = -ln(1/p - 1); the layer-wise one (reference section 5.2)
 *   drops that minus, raw = ln(1/p - 1), so its gates start at sigmoid = 1 - p. Both are followed.
 */
export type GateInit =
  | { readonly kind: 'uniform-raw'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'uniform-sigmoid'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'fixed'; readonly values: readonly [alpha: number, beta: number, gamma: number] };

export type GateRangeId = 'code' | 'paper' | 'fixed';

export const GATE_RANGES: Readonly<Record<GateRangeId, GateInit>> = {
  code: { kind: 'uniform-raw', lo: -0.1, hi: 0.1 },
  paper: { kind: 'uniform-sigmoid', lo: 0.4502, hi: 0.5498 },
  // The constructor's default --gate 0.6 0.8 0.6, what a run without --randomgate starts from:
  // sigmoid 0.55, 0.65, 0.55 channel-wise (with static gates, the code's GLIF_s) and, through the
  // layer-wise constructor's sign flip, 0.45, 0.35, 0.45 layer-wise.
  fixed: { kind: 'fixed', values: [0.6, 0.8, 0.6] },
};

export interface GlifInit {
  readonly primitives: PrimitiveInit;
  readonly gates: GateInit;
}

export function glifInit(preset: InitPresetId, gateRange: GateRangeId = 'code'): GlifInit {
  return { primitives: PRIMITIVE_PRESETS[preset], gates: GATE_RANGES[gateRange] };
}

/** logit(p) exactly as the official constructor computes it: -ln(1/p - 1) (so logit(0.5) = -0). */
export function logit(p: number): number {
  if (!(p > 0 && p < 1))
    throw new Error(`an initial value must lie in (0, 1) to be stored as a logit, got ${p}`);
  return -Math.log(1 / p - 1);
}

/** Anything that yields uniform numbers in [0, 1): the engine's seeded Rng satisfies it. */
export interface UniformSource {
  next(): number;
}

/**
 * Raw initial values of one gate over `size` entries (size 1 for layer-wise). `layerwise` selects
 * the layer-wise constructor's sign for `fixed` gates. Simplex gates keep their named bits in both
 * (the official layer-wise class would invert them; the variant names the bits the run uses).
 */
export function initialGateRaw(
  variant: NeuronVariant,
  gate: 0 | 1 | 2,
  init: GateInit,
  size: number,
  rng: UniformSource,
  layerwise: boolean,
): Float32Array {
  const out = new Float32Array(size);
  if (variant.kind === 'simplex') {
    // The code's --static-gate path: raw = logit(0.25 + 0.5 * bit) = +-1.0986, so 1[raw > 0] = bit.
    out.fill(logit(0.25 + 0.5 * variant.bits[gate]));
    return out;
  }
  if (gateMode(variant) === 'none') return out;
  switch (init.kind) {
    case 'uniform-raw':
      for (let i = 0; i < size; i++) out[i] = init.lo + (init.hi - init.lo) * rng.next();
      return out;
    case 'uniform-sigmoid':
      for (let i = 0; i < size; i++) out[i] = logit(init.lo + (init.hi - init.lo) * rng.next());
      return out;
    case 'fixed': {
      // Layer-wise: the official ln(1/p - 1), exactly -logit(p) (negation is exact).
      const raw = logit(0.25 + 0.5 * init.values[gate]);
      out.fill(layerwise ? -raw : raw);
      return out;
    }
    default:
      return missingCase(init, 'gate init');
  }
}
