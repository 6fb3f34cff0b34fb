import { missingCase } from '../../contract/exhaustive';
/**
 * Neuron variants of the GLIF family (reference glif.md section 5), as one typed union.
 *
 * Identifiers are what configs and the command line use; `describeVariant` gives the names
 * the UI shows (bio-features, with the code's alpha/beta/gamma bit code beside them).
 */

/** Gate bits in the official code's `--gate` order: alpha (leak), beta (integration), gamma (reset). */
export type GateBit = 0 | 1;
export type SimplexBits = readonly [alpha: GateBit, beta: GateBit, gamma: GateBit];

export type SimplexVariantId =
  | 'simplex-000'
  | 'simplex-001'
  | 'simplex-010'
  | 'simplex-011'
  | 'simplex-100'
  | 'simplex-101'
  | 'simplex-110'
  | 'simplex-111';

export type VariantId = 'glif' | 'glif-static' | 'glif-hard' | 'glif-f' | SimplexVariantId;

export const SIMPLEX_VARIANT_IDS: readonly SimplexVariantId[] = [
  'simplex-000',
  'simplex-001',
  'simplex-010',
  'simplex-011',
  'simplex-100',
  'simplex-101',
  'simplex-110',
  'simplex-111',
];

export const VARIANT_IDS: readonly VariantId[] = [
  'glif',
  'glif-static',
  'glif-hard',
  'glif-f',
  ...SIMPLEX_VARIANT_IDS,
];

/**
 * How the gates enter the forward pass.
 * - `learnable`: sigmoid(raw), trained (the paper's GLIF).
 * - `static-soft`: sigmoid(raw), frozen at the initial fractional value.
 * - `static-binary`: 1[raw > 0], frozen (the simplex LIFs).
 * - `hard-ste`: 1[sigmoid(raw) > 0.5] forward, straight-through (identity into sigmoid(raw)) backward.
 * - `none`: no gates (GLIF_f fuses both features of every pair).
 */
export type GateMode = 'learnable' | 'static-soft' | 'static-binary' | 'hard-ste' | 'none';

/**
 * Where the hard reset acts. `code` is what the authors' code computes and what the parity
 * fixtures hold; `paper-figure` is the overview figure's form (section 9.1), where the hard
 * reset also removes the linear leak. Never the default.
 */
export type ResetForm = 'code' | 'paper-figure';

export type NeuronVariant =
  | { readonly kind: 'glif' }
  | { readonly kind: 'glif-static' }
  | { readonly kind: 'glif-hard' }
  | { readonly kind: 'glif-f' }
  | { readonly kind: 'simplex'; readonly bits: SimplexBits };

/** Everything that fixes the neuron's equations (initial values are separate: see init.ts). */
export interface NeuronSpec {
  readonly variant: NeuronVariant;
  /** Layer-wise: every parameter is one scalar per layer (conductance one per step). */
  readonly layerwise: boolean;
  readonly reset: ResetForm;
}

export function isVariantId(id: string): id is VariantId {
  return (VARIANT_IDS as readonly string[]).includes(id);
}

export function parseVariantId(id: string): NeuronVariant {
  if (!isVariantId(id)) {
    throw new Error(`unknown neuron variant '${id}' (allowed: ${VARIANT_IDS.join(', ')})`);
  }
  switch (id) {
    case 'glif':
      return { kind: 'glif' };
    case 'glif-static':
      return { kind: 'glif-static' };
    case 'glif-hard':
      return { kind: 'glif-hard' };
    case 'glif-f':
      return { kind: 'glif-f' };
    default: {
      const [a, b, c] = id
        .slice('simplex-'.length)
        .split('')
        .map((d) => (d === '1' ? 1 : 0));
      return { kind: 'simplex', bits: [a as GateBit, b as GateBit, c as GateBit] };
    }
  }
}

export function variantId(variant: NeuronVariant): VariantId {
  switch (variant.kind) {
    case 'glif':
    case 'glif-static':
    case 'glif-hard':
    case 'glif-f':
      return variant.kind;
    case 'simplex':
      return `simplex-${variant.bits.join('')}` as SimplexVariantId;
    default:
      return missingCase(variant, 'neuron variant');
  }
}

export function gateMode(variant: NeuronVariant): GateMode {
  switch (variant.kind) {
    case 'glif':
      return 'learnable';
    case 'glif-static':
      return 'static-soft';
    case 'glif-hard':
      return 'hard-ste';
    case 'glif-f':
      return 'none';
    case 'simplex':
      return 'static-binary';
    default:
      return missingCase(variant, 'neuron variant');
  }
}

export interface VariantDescription {
  readonly id: VariantId;
  /** Short label for tables, e.g. "GLIF" or "Exp · Cond · Hard". */
  readonly label: string;
  /** Bio-feature sentence, e.g. "exponential leak, conductance-based (flexible) integration, hard reset". */
  readonly features: string;
  /** The code's alpha/beta/gamma bit code, for simplex variants. */
  readonly bits?: string;
}

const LEAK = ['linear leak (tau_lin)', 'exponential leak (tau_exp)'] as const;
const INTEGRATION = ['uniform integration (plain input)', 'flexible integration (conductance g^t)'] as const;
const RESET = ['soft reset (subtract V_re)', 'hard reset (to zero)'] as const;
const SHORT_LEAK = ['Lin', 'Exp'] as const;
const SHORT_INT = ['Uni', 'Flex'] as const;
const SHORT_RESET = ['Soft', 'Hard'] as const;

export function describeVariant(id: VariantId): VariantDescription {
  const variant = parseVariantId(id);
  switch (variant.kind) {
    case 'glif':
      return { id, label: 'GLIF', features: 'learnable gates mixing every pair of bio-features' };
    case 'glif-static':
      return {
        id,
        label: 'GLIF (static gates)',
        features: 'gates frozen at their initial fractional values',
      };
    case 'glif-hard':
      return { id, label: 'GLIF (hard gates)', features: 'binary gates trained straight-through' };
    case 'glif-f':
      return {
        id,
        label: 'GLIF_f',
        features: 'coarsely fused: both leaks, conductance input, hard and soft reset together, no gates',
      };
    case 'simplex': {
      const [a, b, c] = variant.bits;
      // 101 is the neuron the paper compares GLIF against as the vanilla LIF; no other simplex
      // variant (000 included) is "the" LIF, so none other is named one.
      const vanilla = a === 1 && b === 0 && c === 1 ? " — the paper's vanilla LIF" : '';
      return {
        id,
        label: `${SHORT_LEAK[a]} · ${SHORT_INT[b]} · ${SHORT_RESET[c]}`,
        features: `${LEAK[a]}, ${INTEGRATION[b]}, ${RESET[c]}${vanilla}`,
        bits: variant.bits.join(''),
      };
    }
    default:
      return missingCase(variant, 'neuron variant');
  }
}

export function defaultNeuronSpec(id: VariantId = 'glif', layerwise = false): NeuronSpec {
  return { variant: parseVariantId(id), layerwise, reset: 'code' };
}
