import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import {
  glifBackwardLoop,
  glifForwardLoop,
  stepCoefficientArrays,
  type CoefficientGradients,
  type EffectiveValues,
} from '../../src-main/engine/glif/fused-loops';
import type { ResetForm } from '../../src-main/engine/glif/variants';
import { glifBackwardSimd, glifForwardSimd, simdPeriod } from '../../src-main/engine/kernels/simd/glif-simd';
import { activeWasmHeap, type WasmHeap } from '../../src-main/engine/kernels/simd/heap';
import {
  KERNELS_RELAXED_WASM_BASE64,
  KERNELS_SOURCE_SHA256,
  KERNELS_WASM_BASE64,
} from '../../src-main/engine/kernels/simd/kernels.wasm';
import { SIMD_ENV_VAR, simdKernelsRelaxed, wasmApi } from '../../src-main/engine/kernels/simd/module';
import { tdbnBackwardSimd, tdbnForwardSimd } from '../../src-main/engine/kernels/simd/tdbn-simd';
import { Rng } from '../../src-main/engine/random';
import { sourceDigest, sourceFiles } from '../../scripts/simd-sources.mjs';
import { repoRoot } from '../helpers/paths';

/**
 * The WebAssembly SIMD kernels (src-main/engine/kernels/simd) against the typed-array loops they
 * replace, called directly on tensors of the wasm backend. The GLIF forward must be bit-identical
 * (same float32 operations in the same order); backward passes compute per element in float32
 * where the loops use float64, so they agree within float32 rounding.
 */

const simdDir = join(repoRoot, 'src-main/engine/kernels/simd');

/** Section ids of a wasm binary, in order (5 = memory, 10 = code, 11 = data, 12 = data count). */
function sectionIds(bytes: Buffer): number[] {
  const ids: number[] = [];
  let at = 8;
  while (at < bytes.length) {
    ids.push(bytes[at++]);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[at++];
      size |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    at += size;
  }
  expect(at).toBe(bytes.length);
  return ids;
}

describe('the SIMD kernel module', () => {
  const builds = {
    plain: Buffer.from(KERNELS_WASM_BASE64, 'base64'),
    relaxed: Buffer.from(KERNELS_RELAXED_WASM_BASE64, 'base64'),
  };

  it('was built from the C files in the tree (rerun node scripts/build-simd.mjs after editing one)', () => {
    expect(sourceFiles(simdDir, 'kernels/')).toContain('kernels/simd.h');
    expect(KERNELS_SOURCE_SHA256).toBe(sourceDigest(simdDir, 'kernels/'));
  });

  it.each(Object.entries(builds))(
    'the %s build imports only the backend memory and owns none of it (no data segment, no memory of its own)',
    async (_, bytes) => {
      await initBackend({ only: 'wasm' });
      // Loading the kernels first turns relaxed SIMD on where this Node needs its flag for it.
      expect(activeWasmHeap()).toBeDefined();
      // Node's typings here declare no WebAssembly globals (module.ts types the few it uses).
      const api = wasmApi as typeof wasmApi & { Module: { imports(m: object): unknown } };
      expect(api.Module.imports(new api.Module(bytes))).toEqual([
        { module: 'env', name: 'memory', kind: 'memory' },
      ]);
      const ids = sectionIds(bytes);
      expect(ids).toContain(10);
      expect(ids.filter((id) => id === 5 || id === 11 || id === 12)).toEqual([]);
    },
  );

  it('runs the relaxed-SIMD build here, whose fused multiply-add the plain build lacks', async () => {
    await initBackend({ only: 'wasm' });
    expect(activeWasmHeap()).toBeDefined();
    expect(simdKernelsRelaxed()).toBe(true);
    // f32x4.relaxed_madd: prefix 0xfd, opcode 0x105 as LEB128 (0x85 0x02).
    const madd = Buffer.from([0xfd, 0x85, 0x02]);
    expect(builds.relaxed.includes(madd)).toBe(true);
    expect(builds.plain.includes(madd)).toBe(false);
  });
});

let heap: WasmHeap;
beforeEach(async () => {
  await initBackend({ only: 'wasm' });
  const h = activeWasmHeap();
  if (!h) throw new Error('the SIMD kernels must load on the wasm backend here');
  heap = h;
});

function randomValues(rng: Rng, n: number, f: (r: Rng) => number): Float32Array {
  return Float32Array.from({ length: n }, () => f(rng));
}

/** Effective values spread over (0, 1), gated or not (GLIF_f). */
function effective(rng: Rng, P: number, T: number, gated: boolean): EffectiveValues {
  const unit = (lo: number, hi: number) => randomValues(rng, P, (r) => lo + (hi - lo) * r.next());
  const base = {
    P,
    T,
    tau: unit(0.1, 0.6),
    leak: unit(0.01, 0.15),
    reVth: unit(0.2, 0.8),
    g: randomValues(rng, T * P, (r) => 0.2 + 0.6 * r.next()),
    theta: unit(0.3, 0.7),
  };
  if (!gated) return base;
  // A mix of soft gates and exact 0/1 gates (the hard and static-binary modes).
  const gate = () => randomValues(rng, P, (r) => (r.next() < 0.3 ? Math.round(r.next()) : r.next()));
  return { ...base, a: gate(), b: gate(), c: gate() };
}

interface GlifCase {
  T: number;
  /** Elements per step before the channels. */
  rows: number;
  P: number;
  gated: boolean;
  reset: ResetForm;
}

const glifCases: GlifCase[] = [
  { T: 4, rows: 2 * 7 * 7, P: 32, gated: true, reset: 'code' },
  { T: 4, rows: 2 * 7 * 7, P: 32, gated: true, reset: 'paper-figure' },
  { T: 6, rows: 24, P: 16, gated: false, reset: 'code' },
  { T: 2, rows: 10, P: 12, gated: true, reset: 'code' },
  { T: 4, rows: 36, P: 5, gated: true, reset: 'paper-figure' }, // repeated to a period of 20
  { T: 4, rows: 36 * 5, P: 1, gated: true, reset: 'code' }, // layer-wise: period 4
  { T: 1, rows: 8, P: 4, gated: true, reset: 'code' },
  { T: 3, rows: 5, P: 20, gated: false, reset: 'paper-figure' }, // 16 + 4 channels per block
];

/** Close within float32 rounding of sums: relative to the largest magnitude in the array. */
function expectClose(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 2e-5) {
  expect(actual.length, name).toBe(expected.length);
  let scale = 1e-3;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / scale);
  expect(worst, `${name}: largest difference relative to the largest value`).toBeLessThan(tol);
}

describe('GLIF SIMD kernels against the typed-array loops', () => {
  it.each(glifCases)('T=$T rows=$rows P=$P gated=$gated reset=$reset', ({ T, rows, P, gated, reset }) => {
    const rng = new Rng(31 + rows + P + T);
    const M = rows * P;
    const Q = simdPeriod(P, M);
    expect(Q, 'the shape is one the kernels take').toBeDefined();
    const k = stepCoefficientArrays(effective(rng, P, T, gated));
    const xData = randomValues(rng, T * M, (r) => r.normal() * 0.7 + 0.4);
    const spikes = new Float32Array(T * M);
    const membrane = new Float32Array(T * M);
    glifForwardLoop(xData, k, reset, spikes, membrane);
    const rate = spikes.reduce((a, b) => a + b, 0) / spikes.length;
    expect(rate, 'some spikes and some silence').toBeGreaterThan(0.05);
    expect(rate).toBeLessThan(0.95);

    const x = tf.tensor(xData, [T, rows, P]);
    const recorded = glifForwardSimd(heap, x, k, reset, Q!, 'output');
    const separate = glifForwardSimd(heap, x, k, reset, Q!, 'separate');
    const inference = glifForwardSimd(heap, x, k, reset, Q!, 'none');
    const out = recorded.value.dataSync();
    // Bit-identical: the same float32 operations in the same order.
    expect(Array.from(out.subarray(0, T * M))).toEqual(Array.from(spikes));
    expect(Array.from(out.subarray(T * M))).toEqual(Array.from(membrane));
    expect(Array.from(separate.value.dataSync())).toEqual(Array.from(spikes));
    expect(Array.from(separate.membrane!.dataSync())).toEqual(Array.from(membrane));
    expect(Array.from(inference.value.dataSync())).toEqual(Array.from(spikes));
    expect(inference.membrane).toBeUndefined();

    const window = { half: Math.fround(0.5), height: Math.fround(1) };
    const dS = randomValues(rng, T * M, (r) => r.normal());
    const dM = randomValues(rng, T * M, (r) => r.normal() * 0.3);
    for (const withMembrane of [true, false]) {
      const dx = new Float32Array(T * M);
      const want: CoefficientGradients = glifBackwardLoop(
        { x: xData, spikes, membrane, dSpikes: dS, dMembrane: withMembrane ? dM : undefined },
        k,
        reset,
        window,
        dx,
      );
      const dy = withMembrane
        ? tf.tensor(Float32Array.from([...dS, ...dM]), [2, T * M])
        : tf.tensor(dS, [T * M]);
      const got = withMembrane
        ? glifBackwardSimd(heap, { x, value: recorded.value, dy }, k, reset, window, Q!)
        : glifBackwardSimd(
            heap,
            { x, value: separate.value, membrane: separate.membrane, dy },
            k,
            reset,
            window,
            Q!,
          );
      const tag = withMembrane ? 'with dL/du' : 'spikes only';
      expectClose(`dx ${tag}`, got.dx.dataSync(), dx);
      for (const key of ['decay', 'hard', 'linear', 'soft', 'threshold', 'gain'] as const) {
        expectClose(`${key} ${tag}`, got.grads[key], want[key]);
      }
      tf.dispose([dy, got.dx]);
    }
    tf.dispose([x, recorded.value, separate.value, separate.membrane!, inference.value]);
  });

  it('takes no shape whose step is not a whole number of coefficient periods', () => {
    expect(simdPeriod(32, 32 * 9)).toBe(32);
    expect(simdPeriod(1, 8)).toBe(4);
    expect(simdPeriod(1, 6)).toBeUndefined();
    expect(simdPeriod(7, 42)).toBeUndefined(); // period 28
    expect(simdPeriod(5, 180)).toBe(20);
  });
});

describe('tdBN SIMD kernels against float64 sums', () => {
  it.each([
    [64, 32],
    [1000, 8],
    [33, 4],
  ])('%i rows of %i channels: statistics, output and gradients', (rows, C) => {
    const rng = new Rng(rows + C);
    const xData = randomValues(rng, rows * C, (r) => r.normal() * 2 + 0.7);
    const dyData = randomValues(rng, rows * C, (r) => r.normal());
    const w = randomValues(rng, C, (r) => 0.5 + r.next());
    const b = randomValues(rng, C, (r) => r.next() - 0.5);
    const scale = Math.SQRT1_2;
    const eps = 1e-5;
    // The plain definitions in float64.
    const mean = new Float64Array(C);
    const variance = new Float64Array(C);
    for (let i = 0; i < rows * C; i++) mean[i % C] += xData[i] / rows;
    for (let i = 0; i < rows * C; i++) variance[i % C] += (xData[i] - mean[i % C]) ** 2 / rows;
    const invStd = Array.from(variance, (v) => 1 / Math.sqrt(v + eps));
    const xhat = Array.from(xData, (v, i) => (v - mean[i % C]) * invStd[i % C]);
    const y = xhat.map((v, i) => scale * w[i % C] * v + b[i % C]);
    const g = Array.from(dyData, (d, i) => d * scale * w[i % C]);
    const sumG = new Float64Array(C);
    const sumGX = new Float64Array(C);
    g.forEach((v, i) => {
      sumG[i % C] += v;
      sumGX[i % C] += v * xhat[i];
    });
    const dx = g.map((v, i) => (v - sumG[i % C] / rows - (xhat[i] * sumGX[i % C]) / rows) * invStd[i % C]);
    const dw = Array.from(sumGX, (v, c) => v / w[c]);
    const db = Array.from(sumG, (v, c) => v / (scale * w[c]));

    const x = tf.tensor(xData, [rows, C]);
    const dy = tf.tensor(dyData, [rows, C]);
    const f = tdbnForwardSimd(heap, x, C, w, b, scale, eps, (local) => [local]);
    expect(f.count).toBe(rows);
    expectClose('mean', f.mean, mean, 1e-6);
    expectClose('variance', f.variance, variance, 1e-5);
    expectClose('y', f.y.dataSync(), y);
    const back = tdbnBackwardSimd(heap, x, dy, C, w, f.meanF32, f.invStdF32, scale, rows, () => {});
    expectClose('dx', back.dx.dataSync(), dx);
    expectClose('dw', back.dw, dw);
    expectClose('db', back.db, db);
    tf.dispose([x, dy, f.y, back.dx]);
  });
});

describe('where the SIMD kernels run', () => {
  afterEach(() => {
    delete process.env[SIMD_ENV_VAR];
  });

  it('on wasm unless GLIF_SIMD=off; never on cpu', async () => {
    expect(activeWasmHeap()).toBeDefined();
    process.env[SIMD_ENV_VAR] = 'off';
    expect(activeWasmHeap()).toBeUndefined();
    delete process.env[SIMD_ENV_VAR];
    await initBackend({ only: 'cpu' });
    expect(activeWasmHeap()).toBeUndefined();
  });

  it('frees its scratch space and leaves no tensor behind', () => {
    const rng = new Rng(4);
    const T = 4;
    const P = 16;
    const M = 8 * P;
    const k = stepCoefficientArrays(effective(rng, P, T, true));
    const x = tf.tensor(
      randomValues(rng, T * M, (r) => r.normal()),
      [T, 8, P],
    );
    const dy = tf.tensor(
      randomValues(rng, T * M, (r) => r.normal()),
      [T * M],
    );
    const run = () => {
      const f = glifForwardSimd(heap, x, k, 'code', P, 'separate');
      const b = glifBackwardSimd(
        heap,
        { x, value: f.value, membrane: f.membrane, dy },
        k,
        'code',
        {
          half: 0.5,
          height: 1,
        },
        P,
      );
      tf.dispose([f.value, f.membrane!, b.dx]);
    };
    run();
    const tensors = tf.memory().numTensors;
    const bytes = heap.heapF32().buffer.byteLength;
    for (let i = 0; i < 200; i++) run();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(heap.heapF32().buffer.byteLength, 'the heap did not grow: scratch is freed').toBe(bytes);
    tf.dispose([x, dy]);
  });
});
