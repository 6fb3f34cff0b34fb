import { describe, expect, it } from 'vitest';
import { effectiveGateValue, gatesAreTrainable } from '../../src-main/engine/glif/gates';
import { GATE_RANGES, initialGateRaw } from '../../src-main/engine/glif/init';
import { gateMode, parseVariantId, VARIANT_IDS } from '../../src-main/engine/glif/variants';
import { Rng } from '../../src-main/engine/random';
import { frozenGate, frozenNote } from '../../src-renderer/src/lib/charts/frozen-quantities';

const GATES = ['alpha', 'beta', 'gamma'] as const;
const PRIMITIVES = ['tau_exp', 'tau_lin', 'v_th', 'v_re', 'g_t', 'firing_rate'] as const;

describe('frozen gates per variant', () => {
  // The renderer reads variant ids on its own; the engine decides what trains. They must agree.
  it.each(VARIANT_IDS)('%s: frozen exactly where the engine does not train recorded gates', (id) => {
    const mode = gateMode(parseVariantId(id));
    // GLIF_f records no gates at all (it has none in its forward pass): nothing to say there.
    const recordedAndFrozen = mode !== 'none' && !gatesAreTrainable(mode);
    for (const q of GATES) expect(frozenGate(id, q) !== null, `${id} ${q}`).toBe(recordedAndFrozen);
    for (const q of PRIMITIVES) expect(frozenGate(id, q), `${id} ${q}`).toBeNull();
  });

  it.each(VARIANT_IDS.filter((id) => id.startsWith('simplex-')))(
    '%s: names the value the engine holds each gate at',
    (id) => {
      const variant = parseVariantId(id);
      GATES.forEach((q, i) => {
        const raw = initialGateRaw(variant, i as 0 | 1 | 2, GATE_RANGES.code, 1, new Rng(1), false);
        const held = effectiveGateValue(raw[0]!, 'static-binary');
        expect(frozenGate(id, q)).toMatchObject({ kind: 'bit', value: held });
      });
    },
  );

  it('says what a frozen gate is instead of showing its histogram', () => {
    expect(frozenNote('simplex-101', 'alpha', { min: 1, max: 1 })).toBe(
      'α is fixed at 1 in this variant (simplex-101: exponential leak): not trained.',
    );
    expect(frozenNote('simplex-101', 'beta', null)).toBe(
      'β is fixed at 0 in this variant (simplex-101: uniform integration): not trained.',
    );
    expect(frozenNote('simplex-101', 'gamma', null)).toBe(
      'γ is fixed at 1 in this variant (simplex-101: hard reset): not trained.',
    );
    expect(frozenNote('glif-static', 'alpha', { min: 0.5, max: 0.5 })).toBe(
      'α is fixed at 0.5 in this variant (glif-static): not trained.',
    );
    expect(frozenNote('glif-static', 'gamma', { min: 0.4751, max: 0.5249 })).toBe(
      'γ is frozen at its initial values (0.4751 to 0.5249 over channels) in this variant (glif-static): not trained.',
    );
  });

  it('says nothing for trained gates, primitives, or an unknown variant', () => {
    expect(frozenNote('glif', 'alpha', { min: 0.5, max: 0.5 })).toBeNull();
    expect(frozenNote('glif-hard', 'beta', null)).toBeNull();
    expect(frozenNote('simplex-101', 'v_th', null)).toBeNull();
    expect(frozenNote(null, 'alpha', null)).toBeNull();
    expect(frozenNote('simplex-1x1', 'alpha', null)).toBeNull();
  });
});
