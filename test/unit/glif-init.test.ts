import { describe, expect, it } from 'vitest';
import { GATE_RANGES, initialGateRaw, logit, PRIMITIVE_PRESETS } from '../../src-main/engine/glif/init';
import { parseVariantId } from '../../src-main/engine/glif/variants';
import { Rng } from '../../src-main/engine/random';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('GLIF initialisation', () => {
  it('stores the official raw logits of the CIFAR and DVS presets', () => {
    const f = Math.fround;
    expect(f(logit(PRIMITIVE_PRESETS.cifar.tau))).toBe(f(-1.0986123));
    expect(Object.is(logit(PRIMITIVE_PRESETS.cifar.vth), -0)).toBe(true);
    expect(f(logit(PRIMITIVE_PRESETS.cifar.leak))).toBe(f(-2.7080503));
    expect(f(logit(PRIMITIVE_PRESETS.dvs.vth))).toBe(f(11.512916));
    expect(f(logit(PRIMITIVE_PRESETS.dvs.leak))).toBe(f(-3.4339976));
    expect(f(logit(PRIMITIVE_PRESETS.dvs.conduct))).toBe(f(2.1972246));
    // tau_lin does not follow T: V_th / (2 * 4) for CIFAR, V_th / (2 * 16) for DVS.
    expect(PRIMITIVE_PRESETS.cifar.leak).toBe(0.0625);
    expect(PRIMITIVE_PRESETS.dvs.leak).toBeCloseTo(0.0312496875, 12);
  });

  it('draws gates in the code range (raw U(-0.1, 0.1)) and in the paper range', () => {
    const rng = new Rng(9);
    const code = initialGateRaw(parseVariantId('glif'), 0, GATE_RANGES.code, 5000, rng);
    expect(Math.min(...code)).toBeGreaterThanOrEqual(-0.1);
    expect(Math.max(...code)).toBeLessThan(0.1);
    expect(Math.max(...code) - Math.min(...code)).toBeGreaterThan(0.19);
    const paper = initialGateRaw(parseVariantId('glif'), 1, GATE_RANGES.paper, 5000, rng).map(sigmoid);
    expect(Math.min(...paper)).toBeGreaterThanOrEqual(0.4502 - 1e-6);
    expect(Math.max(...paper)).toBeLessThan(0.5498 + 1e-6);
    expect(Math.max(...paper) - Math.min(...paper)).toBeGreaterThan(0.09);
  });

  it('fixes simplex gates by their bits whatever the gate range', () => {
    const rng = new Rng(1);
    const variant = parseVariantId('simplex-101');
    const bits = [0, 1, 2].map((g) => initialGateRaw(variant, g as 0 | 1 | 2, GATE_RANGES.paper, 3, rng));
    expect(bits.map((b) => Array.from(b, (r) => (r > 0 ? 1 : 0)))).toEqual([
      [1, 1, 1],
      [0, 0, 0],
      [1, 1, 1],
    ]);
    expect(Math.fround(bits[0][0])).toBe(Math.fround(1.0986123));
  });

  it('applies the constructor mapping p = 0.25 + 0.5 g for fixed gates', () => {
    const raw = initialGateRaw(
      parseVariantId('glif'),
      1,
      { kind: 'fixed', values: [0.6, 0.8, 0.6] },
      2,
      new Rng(1),
    );
    expect(sigmoid(raw[0])).toBeCloseTo(0.65, 6);
  });
});
