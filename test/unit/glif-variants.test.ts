import { describe, expect, it } from 'vitest';
import {
  describeVariant,
  gateMode,
  parseVariantId,
  SIMPLEX_VARIANT_IDS,
  VARIANT_IDS,
  variantId,
} from '../../src-main/engine/glif/variants';

describe('neuron variants', () => {
  it('round-trips every identifier through the typed union', () => {
    for (const id of VARIANT_IDS) expect(variantId(parseVariantId(id))).toBe(id);
    expect(VARIANT_IDS).toHaveLength(12);
  });

  it('rejects unknown identifiers with the allowed list', () => {
    expect(() => parseVariantId('simplex-2')).toThrow(/unknown neuron variant 'simplex-2'.*glif-f/);
  });

  it('maps simplex bits in the code order alpha, beta, gamma', () => {
    expect(parseVariantId('simplex-100')).toEqual({ kind: 'simplex', bits: [1, 0, 0] });
    expect(parseVariantId('simplex-011')).toEqual({ kind: 'simplex', bits: [0, 1, 1] });
  });

  it('names simplex variants by their bio-features with the bit code beside them', () => {
    const d = describeVariant('simplex-101');
    expect(d.bits).toBe('101');
    expect(d.features).toMatch(
      /exponential leak.*uniform integration.*hard reset \(to zero\) — the paper's vanilla LIF$/,
    );
    // Only 101 is the paper's vanilla LIF; 000 is one simplex variant among eight, not "plain LIF".
    for (const id of SIMPLEX_VARIANT_IDS.filter((v) => v !== 'simplex-101'))
      expect(describeVariant(id).features).not.toMatch(/LIF/);
    expect(describeVariant('simplex-010').features).toMatch(/linear leak.*conductance.*soft reset/);
    const labels = new Set(SIMPLEX_VARIANT_IDS.map((id) => describeVariant(id).label));
    expect(labels.size).toBe(8);
  });

  it('selects the gate mode of each variant', () => {
    expect(gateMode(parseVariantId('glif'))).toBe('learnable');
    expect(gateMode(parseVariantId('glif-static'))).toBe('static-soft');
    expect(gateMode(parseVariantId('glif-hard'))).toBe('hard-ste');
    expect(gateMode(parseVariantId('glif-f'))).toBe('none');
    expect(gateMode(parseVariantId('simplex-111'))).toBe('static-binary');
  });
});
