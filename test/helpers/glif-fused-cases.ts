import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { GlifParamKey } from '../../src-main/engine/glif/params';
import {
  gateMode,
  VARIANT_IDS,
  type NeuronSpec,
  type ResetForm,
  type VariantId,
} from '../../src-main/engine/glif/variants';
import type { Rng } from '../../src-main/engine/random';

/**
 * The cases on which the fused GLIF op must match the tf-ops path, on every backend it runs on
 * (test/unit/glif-fused.test.ts on wasm and cpu, test/integration/webgpu-fused-glif.test.ts).
 */
export const T = 4;
const logit = (p: number) => -Math.log(1 / p - 1);

/** Raw parameters away from their initial values, so every term of the update matters. */
export function makeParams(
  spec: NeuronSpec,
  P: number,
  rng: Rng,
): Record<GlifParamKey, tf.Variable | undefined> {
  const shape = spec.layerwise ? [] : [P];
  const n = spec.layerwise ? 1 : P;
  const v = (f: () => number, s = shape, size = n) =>
    tf.variable(tf.tensor(Float32Array.from({ length: size }, f), s));
  const variant = spec.variant;
  const gate = (i: 0 | 1 | 2) => {
    if (variant.kind === 'simplex')
      return v(() => logit(0.25 + 0.5 * variant.bits[i]) + 0.3 * (rng.next() - 0.5));
    // Hard gates: a mix of 0 and 1; soft ones spread over (0.2, 0.8).
    return v(() => (rng.next() - 0.5) * (variant.kind === 'glif-hard' ? 2 : 2.8));
  };
  const gated = gateMode(variant) !== 'none';
  return {
    alpha: gated ? gate(0) : undefined,
    beta: gated ? gate(1) : undefined,
    gamma: gate(2),
    tau: v(() => logit(0.25) + rng.normal() * 0.6),
    vth: v(() => logit(0.5) + rng.normal() * 0.4),
    leak: v(() => logit(0.0625) + rng.normal() * 0.6),
    reVth: v(() => logit(0.5) + rng.normal() * 0.6),
    conduct: v(() => rng.normal() * 0.8, spec.layerwise ? [T] : [T, P], T * n),
  };
}

export const allZero = (a: Float32Array | undefined) => a === undefined || a.every((v) => v === 0);

/** The fixtures' tolerance, |a - b| <= 1e-5 + 1e-5 |b|, with exact zeros where the reference is all zero. */
export function expectClose(
  name: string,
  actual: Float32Array | undefined,
  expected: Float32Array | undefined,
) {
  if (allZero(expected)) {
    expect(allZero(actual), `${name}: the tf-ops path gives an exact zero`).toBe(true);
    return;
  }
  expect(actual, `${name} gradient missing`).toBeDefined();
  expect(actual!.length).toBe(expected!.length);
  const bad: string[] = [];
  for (let i = 0; i < expected!.length; i++) {
    const b = expected![i];
    if (!(Math.abs(actual![i] - b) <= 1e-5 + 1e-5 * Math.abs(b))) bad.push(`[${i}] ${actual![i]} vs ${b}`);
  }
  expect(bad.slice(0, 5), `${name}: ${bad.length} values out of tolerance`).toEqual([]);
}

export interface Case {
  variant: VariantId;
  layerwise: boolean;
  reset: ResetForm;
  shape: number[];
  width?: number;
}

export const cases: Case[] = [];
for (const variant of VARIANT_IDS) {
  for (const layerwise of [false, true]) {
    // The layer-wise class has no static-soft, hard or GLIF_f forms, but the equations allow them.
    cases.push({ variant, layerwise, reset: 'code', shape: [T, 3, 4, 3, 5] });
  }
  cases.push({ variant, layerwise: false, reset: 'paper-figure', shape: [T, 3, 4, 3, 5] });
}
cases.push({ variant: 'glif', layerwise: false, reset: 'code', shape: [T, 6, 7] }); // dense [T, N, F]
cases.push({ variant: 'glif', layerwise: true, reset: 'code', shape: [T, 6, 7] });
cases.push({ variant: 'glif', layerwise: false, reset: 'code', shape: [T, 3, 4, 3, 5], width: 0.6 });
cases.push({
  variant: 'glif-hard',
  layerwise: false,
  reset: 'paper-figure',
  shape: [T, 2, 3, 3, 4],
  width: 1.7,
});
