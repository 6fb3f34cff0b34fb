/** Shared by the tests that check our wasm kernels against the cpu backend's reference kernels. */
import type * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';

/** Deterministic inputs in [-1, 1), so the cpu and wasm runs see the same numbers. */
export function seeded(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** max |a - b| over max |a|: the error relative to the result's scale. */
export function relativeError(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(expected[i]! - actual[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  return diff / scale;
}

/** Runs `compute` on the named backend (switching to it first). */
export async function on<T>(backend: 'cpu' | 'wasm', compute: () => T): Promise<T> {
  const report = await initBackend({ only: backend });
  expect(report.active).toBe(backend);
  return compute();
}

export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
