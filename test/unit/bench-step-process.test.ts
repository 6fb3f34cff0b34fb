/**
 * bench:scaling keeps each configuration in a persistent process of its own (bench/lib/step-process.ts).
 * Asserted: real child processes train real steps on one and on two threads, report one time per
 * step, fail with the child's own message, and are gone after close. Never a speed.
 */
import { describe, expect, it } from 'vitest';
import { StepProcess } from '../../bench/lib/step-process';

const spec = { preset: 'synthetic-mlp', batch: 8, input: [8, 8, 1] as const, classes: 4 };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('bench step process', () => {
  for (const threads of [1, 2]) {
    it(`trains steps on ${threads} thread(s) in a child process, timed one by one, and ends it`, async () => {
      const p = await StepProcess.start({ ...spec, threads });
      const pid = p.pid;
      try {
        expect(alive(pid)).toBe(true);
        const first = await p.run(3);
        const again = await p.run(2);
        expect(first).toHaveLength(3);
        expect(again).toHaveLength(2);
        for (const ms of [...first, ...again]) {
          expect(Number.isFinite(ms)).toBe(true);
          expect(ms).toBeGreaterThan(0);
        }
      } finally {
        await p.close();
      }
      expect(alive(pid)).toBe(false);
    }, 60_000);
  }

  it("fails to start with the child's own reason", async () => {
    await expect(StepProcess.start({ ...spec, preset: 'no-such-preset', threads: 1 })).rejects.toThrow(
      /no preset 'no-such-preset'/,
    );
  }, 60_000);
});
