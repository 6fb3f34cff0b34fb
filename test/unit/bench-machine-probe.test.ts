/**
 * bench:scaling reads a training speed-up against what the machine gave the same number of
 * threads in the same round (bench/lib/machine.ts). The figures are timings, so only their
 * arithmetic and the probe's life cycle are asserted here, never a speed.
 */
import { describe, expect, it } from 'vitest';
import { MachineProbe, speedup } from '../../bench/lib/machine';

describe('machine probe', () => {
  it('gives N threads x the time alone over the time of the N, each side the mean of its two', () => {
    expect(speedup([100, 100], [100, 100], 2)).toBe(2);
    expect(speedup([90, 110], [200, 200], 2)).toBe(1);
    expect(speedup([50, 70], [80, 100], 4)).toBeCloseTo((4 * 60) / 90, 12);
  });

  it('measures both kinds of work on real threads and ends them', async () => {
    const probe = await MachineProbe.start(2);
    try {
      expect(probe.threads).toBe(2);
      const c = await probe.measure();
      for (const v of [c.compute, c.memory]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThan(0);
      }
    } finally {
      await probe.close();
    }
  }, 30_000);

  it('refuses fewer than two threads', async () => {
    await expect(MachineProbe.start(1)).rejects.toThrow(/at least 2 threads/);
  });
});
