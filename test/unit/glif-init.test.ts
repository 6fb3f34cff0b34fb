import { readFileSync } from 'node:fs';
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
    const code = initialGateRaw(parseVariantId('glif'), 0, GATE_RANGES.code, 5000, rng, false);
    expect(Math.min(...code)).toBeGreaterThanOrEqual(-0.1);
    expect(Math.max(...code)).toBeLessThan(0.1);
    expect(Math.max(...code) - Math.min(...code)).toBeGreaterThan(0.19);
    const paper = initialGateRaw(parseVariantId('glif'), 1, GATE_RANGES.paper, 5000, rng, false).map(sigmoid);
    expect(Math.min(...paper)).toBeGreaterThanOrEqual(0.4502 - 1e-6);
    expect(Math.max(...paper)).toBeLessThan(0.5498 + 1e-6);
    expect(Math.max(...paper) - Math.min(...paper)).toBeGreaterThan(0.09);
  });

  it('fixes simplex gates by their bits whatever the gate range', () => {
    const rng = new Rng(1);
    const variant = parseVariantId('simplex-101');
    const bits = [0, 1, 2].map((g) =>
      initialGateRaw(variant, g as 0 | 1 | 2, GATE_RANGES.paper, 3, rng, false),
    );
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
      false,
    );
    expect(sigmoid(raw[0])).toBeCloseTo(0.65, 6);
  });

  it("starts layer-wise fixed gates at the official layer-wise constructor's values (sign flip)", () => {
    // Fixture e: the authors' layers.LIFSpike with the default --gate 0.6 0.8 0.6, no --randomgate.
    const fixture = JSON.parse(
      readFileSync(
        new URL('../fixtures/glif-parity/e_fc_layerwise_default_T4.json', import.meta.url),
        'utf8',
      ),
    ) as { params: Record<string, { raw: number[]; effective: number[] }> };
    const names = ['alpha', 'beta', 'gamma'] as const;
    names.forEach((name, gate) => {
      const raw = initialGateRaw(
        parseVariantId('glif'),
        gate as 0 | 1 | 2,
        GATE_RANGES.fixed,
        1,
        new Rng(1),
        true,
      );
      expect(raw[0], name).toBe(Math.fround(fixture.params[name].raw[0]));
      expect(sigmoid(raw[0]), name).toBeCloseTo(fixture.params[name].effective[0], 6);
      // Channel-wise keeps the constructor's minus: the mirror image, sigmoid = 0.25 + 0.5 g.
      const cw = initialGateRaw(
        parseVariantId('glif'),
        gate as 0 | 1 | 2,
        GATE_RANGES.fixed,
        3,
        new Rng(1),
        false,
      );
      expect(Array.from(cw), name).toEqual([-raw[0], -raw[0], -raw[0]]);
    });
    expect(names.map((n) => fixture.params[n].effective[0])).toEqual([0.45, 0.35, 0.45]);
  });
});
