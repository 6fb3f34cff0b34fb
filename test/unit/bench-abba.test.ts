/**
 * bench:scaling times a one-thread and an N-thread step in the order 1, N, N, 1 (bench/lib/interleave.ts
 * abba) so that the machine's speed drifting within a round does not move the ratio.
 */
import { describe, expect, it } from 'vitest';
import { abba } from '../../bench/lib/interleave';

/** A stand-in machine whose speed changes linearly from call to call: each call's time is base x (1 + k t). */
function drifting(drift: number) {
  let t = 0;
  return (base: number) => async () => base * (1 + drift * t++);
}

describe('abba', () => {
  it('keeps the ratio of two steps whatever a linear drift in speed', async () => {
    for (const drift of [-0.1, 0, 0.05, 0.25]) {
      const step = drifting(drift);
      const [one, many] = await abba(step(600), step(300));
      expect(one / many).toBeCloseTo(2, 12);
    }
  });

  it('runs the two in the order one, many, many, one', async () => {
    const order: string[] = [];
    const [one, many] = await abba(
      async () => (order.push('one'), order.length),
      async () => (order.push('many'), order.length),
    );
    expect(order).toEqual(['one', 'many', 'many', 'one']);
    expect(one).toBe((1 + 4) / 2);
    expect(many).toBe((2 + 3) / 2);
  });
});
