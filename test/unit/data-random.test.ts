import { describe, expect, it } from 'vitest';
import { Rng, type RngState } from '../../src-main/engine/random';

describe('Rng (xoshiro128**)', () => {
  it('matches the reference C implementation from a known state', () => {
    // Values printed by the authors' xoshiro128starstar.c started at s = {1, 2, 3, 4}.
    const r = Rng.fromState({ algorithm: 'xoshiro128**', s: [1, 2, 3, 4] });
    expect([r.uint32(), r.uint32(), r.uint32(), r.uint32(), r.uint32(), r.uint32()]).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492,
    ]);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 20 }, () => a.uint32());
    const sb = Array.from({ length: 20 }, () => b.uint32());
    const sc = Array.from({ length: 20 }, () => c.uint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    // Seeds that differ only above bit 31, and negative seeds, are distinct streams.
    expect(new Rng(2 ** 32 + 5).uint32()).not.toBe(new Rng(5).uint32());
    expect(new Rng(-1).uint32()).not.toBe(new Rng(2 ** 32 - 1).uint32());
  });

  it('resumes the exact stream from a JSON round trip of its state', () => {
    const r = new Rng(9);
    for (let i = 0; i < 17; i++) r.next();
    r.normal();
    const saved = JSON.parse(JSON.stringify(r.getState())) as RngState;
    const expected = [r.next(), r.int(1000), r.normal(), r.uniform(-2, 3)];
    const resumed = Rng.fromState(saved);
    expect([resumed.next(), resumed.int(1000), resumed.normal(), resumed.uniform(-2, 3)]).toEqual(expected);
    const other = new Rng(1);
    other.setState(saved);
    expect(other.getState()).toEqual(saved);
    const cl = resumed.clone();
    expect(cl.uint32()).toBe(resumed.uint32());
  });

  it('rejects invalid states and arguments', () => {
    const r = new Rng(0);
    expect(() => r.setState({ algorithm: 'xoshiro128**', s: [0, 0, 0, 0] })).toThrow(/all zero/);
    expect(() => r.setState({ algorithm: 'xoshiro128**', s: [1, 2, 3, -4] } as RngState)).toThrow(TypeError);
    expect(() => r.setState({ algorithm: 'mt', s: [1, 2, 3, 4] } as unknown as RngState)).toThrow(TypeError);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(2.5)).toThrow(RangeError);
    expect(() => new Rng(0.5)).toThrow(RangeError);
  });

  it('next() lies in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new Rng(123);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const v = r.next();
      sum += v;
      sq += v * v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    const mean = sum / n;
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(sq / n - mean * mean).toBeCloseTo(1 / 12, 2);
  });

  it('int(n) covers 0..n-1 uniformly (chi-square)', () => {
    const r = new Rng(5);
    const k = 10;
    const n = 100_000;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) counts[r.int(k)]++;
    const e = n / k;
    const chi2 = counts.reduce((a, c) => a + ((c - e) * (c - e)) / e, 0);
    // 9 degrees of freedom: P(chi2 > 27.9) = 0.001.
    expect(chi2).toBeLessThan(27.9);
    expect(counts.every((c) => c > 0)).toBe(true);
    // Large n near 2^32 still in range.
    const big = Array.from({ length: 1000 }, () => r.int(3_000_000_000));
    expect(big.every((v) => v >= 0 && v < 3_000_000_000 && Number.isInteger(v))).toBe(true);
  });

  it('normal() has the requested mean and standard deviation', () => {
    const r = new Rng(77);
    const n = 100_000;
    let sum = 0;
    let sq = 0;
    let within1 = 0;
    for (let i = 0; i < n; i++) {
      const v = r.normal(2, 3);
      sum += v;
      sq += v * v;
      if (Math.abs(v - 2) < 3) within1++;
    }
    const mean = sum / n;
    expect(mean).toBeCloseTo(2, 1);
    expect(Math.sqrt(sq / n - mean * mean)).toBeCloseTo(3, 1);
    expect(within1 / n).toBeCloseTo(0.6827, 2);
  });

  it('uniform(lo, hi) stays in range', () => {
    const r = new Rng(8);
    const v = Array.from({ length: 10_000 }, () => r.uniform(-0.1, 0.1));
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-0.1);
    expect(Math.max(...v)).toBeLessThan(0.1);
    expect(Math.min(...v)).toBeLessThan(-0.099);
    expect(Math.max(...v)).toBeGreaterThan(0.099);
  });

  it('shuffle() permutes in place, deterministically, and every position is reachable', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = [...a];
    new Rng(3).shuffle(a);
    new Rng(3).shuffle(b);
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    // Where element 0 lands is roughly uniform over 5 positions.
    const r = new Rng(11);
    const where = new Array<number>(5).fill(0);
    for (let i = 0; i < 20_000; i++) where[r.shuffle([0, 1, 2, 3, 4]).indexOf(0)]++;
    for (const c of where) expect(c / 20_000).toBeCloseTo(0.2, 1);
    const p = new Rng(1).permutation(8);
    expect(p).toBeInstanceOf(Int32Array);
    expect([...p].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
