/**
 * Seedable pseudo-random numbers for everything in the engine that must be
 * reproducible: weight initialisation, shuffling, augmentation.
 *
 * Generator: xoshiro128** (Blackman and Vigna), 128 bits of state, period
 * 2^128 - 1, passes BigCrush; it needs only 32-bit integer arithmetic, which
 * JavaScript does exactly with `Math.imul` and `>>> 0`. The state is four
 * uint32 words, so a checkpoint can store it as plain JSON and resume the exact
 * stream with `setState`.
 *
 * Seeding expands the seed with splitmix32 so that nearby seeds (0, 1, 2...)
 * give unrelated streams and the state is never all zero.
 */

export interface RngState {
  readonly algorithm: 'xoshiro128**';
  /** The four state words, each an integer in [0, 2^32). */
  readonly s: readonly [number, number, number, number];
}

const TWO_POW_32 = 4294967296;

/** One step of splitmix32: a bijective mixer used only to expand seeds. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function isUint32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < TWO_POW_32;
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /**
   * @param seed any safe integer (negative ones too). The low and the high 32
   * bits both enter the state, so seeds differing only above bit 31 differ.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Rng seed must be a safe integer, got ${seed}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    // Chain splitmix32 so each word depends on both halves of the seed.
    let x = splitmix32(lo ^ 0x6a09e667);
    x = splitmix32(x ^ hi);
    this.s0 = x;
    x = splitmix32(x);
    this.s1 = x;
    x = splitmix32(x);
    this.s2 = x;
    x = splitmix32(x);
    this.s3 = x;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is a fixed point
  }

  /** A generator positioned exactly at `state`. */
  static fromState(state: RngState): Rng {
    const r = new Rng(0);
    r.setState(state);
    return r;
  }

  /** The next 32 random bits as an integer in [0, 2^32). */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 random bits (never exactly 1). */
  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n), without modulo bias. n: integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`Rng.int(n) needs an integer n in [1, 2^32], got ${n}`);
    }
    // Reject the top partial block so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.uint32();
    while (x >= limit) x = this.uint32();
    return x % n;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * Normal(mean, std) by Box-Muller. Uses two uniforms per call and keeps no
   * spare value, so the whole stream position lives in the four state words.
   */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - this.next(); // (0, 1]: log is finite
    const u2 = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<A extends { length: number; [index: number]: unknown }>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** An independent copy at the same position. */
  clone(): Rng {
    return Rng.fromState(this.getState());
  }

  getState(): RngState {
    return { algorithm: 'xoshiro128**', s: [this.s0, this.s1, this.s2, this.s3] };
  }

  /** Restores a state from `getState` (possibly after a JSON round trip). */
  setState(state: RngState): void {
    if (
      state === null ||
      typeof state !== 'object' ||
      state.algorithm !== 'xoshiro128**' ||
      !Array.isArray(state.s) ||
      state.s.length !== 4 ||
      !state.s.every(isUint32)
    ) {
      throw new TypeError(
        `not an Rng state (expected { algorithm: 'xoshiro128**', s: four uint32 }): ${JSON.stringify(state)}`,
      );
    }
    if ((state.s[0] | state.s[1] | state.s[2] | state.s[3]) === 0) {
      throw new TypeError('Rng state must not be all zero');
    }
    [this.s0, this.s1, this.s2, this.s3] = state.s;
  }
}
