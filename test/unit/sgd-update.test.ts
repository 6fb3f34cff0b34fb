/**
 * The sharded optimiser's update (src-main/engine/parallel/sgd-update.ts): the WebAssembly SIMD
 * kernel on a shared memory gives the typed-array loop's results bit for bit, and the loop is
 * torch.optim.SGD in float32 (checked against the Sgd class's TF.js update in the parallel
 * training tests).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGroupBuffers, ReplicaGroup } from '../../src-main/engine/parallel/collective';
import { sgdKernelOn, sgdUpdateLoop, type UpdateArrays } from '../../src-main/engine/parallel/sgd-update';
import { SGD_SOURCE_SHA256 } from '../../src-main/engine/kernels/simd/sgd.wasm';

/** Deterministic values around ±1 with some exact zeros and tiny magnitudes. */
function fill(a: Float32Array, seed: number): void {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    a[i] = i % 17 === 0 ? 0 : i % 23 === 0 ? (u - 0.5) * 1e-30 : (u - 0.5) * 4;
  }
}

function groupArrays(
  size: number,
  length: number,
  seed: number,
): { arrays: UpdateArrays; group: ReplicaGroup } {
  const group = new ReplicaGroup({ ...createGroupBuffers(size, length), rank: 0 });
  fill(group.slots, seed);
  fill(group.params, seed + 1);
  fill(group.momentum, seed + 2);
  return {
    group,
    arrays: { slots: group.slots, slotCount: size, params: group.params, momentum: group.momentum },
  };
}

const settingsCases = [
  { weightDecay: 5e-5, momentum: 0.9, lr: 0.1, first: false },
  { weightDecay: 5e-5, momentum: 0.9, lr: 0.1, first: true },
  { weightDecay: 0, momentum: 0.9, lr: 0.0333, first: false },
  { weightDecay: 4e-5, momentum: 0, lr: 1.7, first: false },
  { weightDecay: 0, momentum: 0, lr: 0.01, first: true },
];

describe('the sharded optimiser update', () => {
  it('was built from the sgd.c in the tree (rerun node scripts/build-simd.mjs after editing it)', () => {
    const source = join(import.meta.dirname, '../../src-main/engine/kernels/simd/sgd.c');
    expect(SGD_SOURCE_SHA256).toBe(createHash('sha256').update(readFileSync(source)).digest('hex'));
  });

  it('lives in a shared WebAssembly memory, where the kernel runs', () => {
    const { group, arrays } = groupArrays(2, 100, 1);
    expect(group.memory).toBeDefined();
    expect(group.slots.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(sgdKernelOn(group.memory!, arrays)).toBeDefined();
  });

  for (const size of [1, 2, 3])
    it(`the SIMD kernel matches the loop bit for bit (${size} replica slots)`, () => {
      const length = 1031; // not a multiple of 4: stretches with ragged ends
      const a = groupArrays(size, length, 7 * size);
      const b = groupArrays(size, length, 7 * size);
      const kernel = sgdKernelOn(a.group.memory!, a.arrays);
      expect(kernel).toBeDefined();
      // Several segments with their own settings, starting and ending off a multiple of 4.
      const bounds = [0, 3, 258, 259, 700, 1031];
      for (let round = 0; round < 3; round++)
        for (let k = 0; k + 1 < bounds.length; k++) {
          const settings = settingsCases[(k + round) % settingsCases.length];
          kernel!.update(bounds[k], bounds[k + 1], settings);
          sgdUpdateLoop(b.arrays, bounds[k], bounds[k + 1], settings);
        }
      expect(Array.from(a.group.params)).toEqual(Array.from(b.group.params));
      expect(Array.from(a.group.momentum)).toEqual(Array.from(b.group.momentum));
      // Something changed, and only inside [from, to): the slots are read, never written.
      const fresh = groupArrays(size, length, 7 * size);
      expect(Array.from(a.group.params)).not.toEqual(Array.from(fresh.group.params));
      expect(Array.from(a.group.slots)).toEqual(Array.from(fresh.group.slots));
    });

  it('is SGD with momentum and weight decay in float32', () => {
    const { group, arrays } = groupArrays(2, 8, 3);
    const L = 8;
    const g = Array.from({ length: L }, (_, j) => Math.fround(group.slots[j] + group.slots[L + j]));
    const p0 = Array.from(group.params);
    const b0 = Array.from(group.momentum);
    const [wd, m, lr] = [Math.fround(5e-5), Math.fround(0.9), Math.fround(0.1)];
    sgdKernelOn(group.memory!, arrays)!.update(0, L, {
      weightDecay: 5e-5,
      momentum: 0.9,
      lr: 0.1,
      first: false,
    });
    for (let j = 0; j < L; j++) {
      const d0 = Math.fround(g[j] + Math.fround(p0[j] * wd));
      const d = Math.fround(Math.fround(b0[j] * m) + d0);
      expect(group.momentum[j]).toBe(d);
      expect(group.params[j]).toBe(Math.fround(p0[j] - Math.fround(d * lr)));
    }
  });
});
