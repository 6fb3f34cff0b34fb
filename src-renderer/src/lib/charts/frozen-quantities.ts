/**
 * Which recorded quantities cannot change in a run's neuron variant. Simplex variants hold their
 * gates at 0 or 1 (the variant's bits) and GLIF with static gates keeps them at their initial
 * values: the trainer still records them every epoch, but a histogram of constants reads as if
 * training had produced it. The panel says so instead.
 *
 * The renderer may not import the engine (src-main/engine/glif/variants.ts), so the variant ids
 * are read here again; test/unit/ui-frozen-quantities.test.ts holds this to the engine's own
 * `gatesAreTrainable` and initial gate values for every variant, so the two cannot drift apart.
 */
import type { DistributionQuantity } from '../api/contract';
import { formatStat } from '../components/format';
import { quantityLabel } from './distributions';

const GATE_INDEX: Partial<Record<DistributionQuantity, 0 | 1 | 2>> = { alpha: 0, beta: 1, gamma: 2 };

/** What each gate's bit selects (reference glif.md section 5), for the note. */
const BIT_MEANING: Readonly<Record<0 | 1 | 2, readonly [string, string]>> = {
  0: ['linear leak', 'exponential leak'],
  1: ['uniform integration', 'conductance-based integration'],
  2: ['soft reset', 'hard reset'],
};

/** A gate the variant never trains: held at a bit (simplex) or at its initial values (static). */
export type FrozenGate =
  { readonly kind: 'bit'; readonly value: 0 | 1; readonly meaning: string } | { readonly kind: 'initial' };

/** How `quantity` is frozen in `variant` (a run's `neuron.variant`), or null when it is trained. */
export function frozenGate(variant: string | null, quantity: DistributionQuantity): FrozenGate | null {
  const gate = GATE_INDEX[quantity];
  if (gate === undefined || variant === null) return null;
  if (variant === 'glif-static') return { kind: 'initial' };
  const simplex = /^simplex-([01])([01])([01])$/.exec(variant);
  if (!simplex) return null;
  const value = simplex[gate + 1] === '1' ? 1 : 0;
  return { kind: 'bit', value, meaning: BIT_MEANING[gate][value] };
}

/**
 * The sentence shown instead of the histogram of a frozen gate, e.g. "α is fixed at 1 in this
 * variant (simplex-101: exponential leak): not trained." `range` is the recorded min and max over
 * channels, which names the values a static gate was frozen at.
 */
export function frozenNote(
  variant: string | null,
  quantity: DistributionQuantity,
  range: { readonly min: number; readonly max: number } | null,
): string | null {
  const frozen = frozenGate(variant, quantity);
  if (frozen === null || variant === null) return null;
  const label = quantityLabel(quantity);
  if (frozen.kind === 'bit')
    return `${label} is fixed at ${frozen.value} in this variant (${variant}: ${frozen.meaning}): not trained.`;
  if (range !== null && range.min === range.max)
    return `${label} is fixed at ${formatStat(range.min)} in this variant (${variant}): not trained.`;
  const values =
    range !== null && Number.isFinite(range.min) && Number.isFinite(range.max)
      ? ` (${formatStat(range.min)} to ${formatStat(range.max)} over channels)`
      : '';
  return `${label} is frozen at its initial values${values} in this variant (${variant}): not trained.`;
}
