/**
 * The trainer's step pipeline (src-main/engine/train/step-pipeline.ts): steps come back in order
 * with their batches and learning rates; at depth 2 the next step is sent off before the current
 * one is awaited, at depth 1 never; a cancel starts nothing more; a caller that stops early leaves
 * no step running and no failure unhandled. Real replica threads run it in
 * test/integration/parallel-training.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src-main/engine/data/dataset';
import { pipelinedSteps, type FinishedStep } from '../../src-main/engine/train/step-pipeline';
import type { StepResult } from '../../src-main/engine/train/train-step';

function batch(i: number): Batch {
  return {
    x: new Float32Array([i]),
    y: new Int32Array([0]),
    n: 1,
    shape: [1, 1],
    indices: new Int32Array([i]),
  };
}

/** n batches, recording how many were drawn and whether the source was closed. */
function source(n: number) {
  const state = { drawn: 0, closed: false };
  async function* gen(): AsyncGenerator<Batch> {
    try {
      for (let i = 0; i < n; i++) {
        state.drawn++;
        yield batch(i);
      }
    } finally {
      state.closed = true;
    }
  }
  return { batches: gen(), state };
}

/** A step runner whose steps finish only when the test says so. */
function manualSteps() {
  const started: Array<{
    index: number;
    lr: number;
    finish: (r: StepResult) => void;
    fail: (e: Error) => void;
  }> = [];
  let running = 0;
  let maxRunning = 0;
  const start = (b: Batch, lr: number): Promise<StepResult> => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    return new Promise<StepResult>((resolve, reject) => {
      started.push({
        index: b.x[0],
        lr,
        finish: (r) => {
          running--;
          resolve(r);
        },
        fail: (e) => {
          running--;
          reject(e);
        },
      });
    });
  };
  return { start, started, maxRunning: () => maxRunning, running: () => running };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise<void>((r) => setImmediate(r));

describe('pipelinedSteps', () => {
  it('at depth 2 sends the next step off before the current one finishes, in order, with each lr', async () => {
    const { batches } = source(4);
    const runner = manualSteps();
    const got: FinishedStep[] = [];
    /** How many steps had been started when the loop body saw each step. */
    const startedWhenSeen: number[] = [];
    const consume = (async () => {
      for await (const s of pipelinedSteps(batches, {
        start: runner.start,
        depth: 2,
        lrAt: (i) => 0.1 * (i + 1),
        mayStart: () => true,
      })) {
        got.push(s);
        startedWhenSeen.push(runner.started.length);
      }
    })();
    await settle();
    // Two steps are out before the first one has finished.
    expect(runner.started.map((s) => s.index)).toEqual([0, 1]);
    runner.started[0].finish({ loss: 1, hits: 0 });
    await settle();
    // Step 2 is queued behind step 1 before step 0 is handed to the caller's loop body.
    expect(runner.started.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(got.map((s) => s.batch.x[0])).toEqual([0]);
    for (let i = 1; i < 4; i++) {
      runner.started[i].finish({ loss: i + 1, hits: i });
      await settle();
    }
    await consume;
    expect(got.map((s) => s.batch.x[0])).toEqual([0, 1, 2, 3]);
    expect(got.map((s) => s.result.loss)).toEqual([1, 2, 3, 4]);
    expect(got.map((s) => s.lr)).toEqual([0.1, 0.2, 0.1 * 3, 0.4]);
    expect(runner.started.map((s) => s.lr)).toEqual(got.map((s) => s.lr));
    expect(runner.maxRunning()).toBe(2);
    // The next step was always out before the loop body ran (the last ones: nothing left to start).
    expect(startedWhenSeen).toEqual([3, 4, 4, 4]);
    for (const s of got) expect(s.seconds).toBeGreaterThanOrEqual(0);
  });

  it('at depth 1 runs one step at a time and reports each before starting the next', async () => {
    const { batches } = source(3);
    const order: string[] = [];
    let running = 0;
    for await (const s of pipelinedSteps(batches, {
      start: async (b) => {
        running++;
        expect(running).toBe(1);
        order.push(`start ${b.x[0]}`);
        await settle();
        running--;
        return { loss: b.x[0], hits: 0 };
      },
      depth: 1,
      lrAt: () => 0.5,
      mayStart: () => true,
    }))
      order.push(`report ${s.batch.x[0]}`);
    expect(order).toEqual(['start 0', 'report 0', 'start 1', 'report 1', 'start 2', 'report 2']);
  });

  it('starts no step once a cancel is asked, and finishes the ones already out', async () => {
    const { batches, state } = source(10);
    const runner = manualSteps();
    let cancelled = false;
    const got: number[] = [];
    const consume = (async () => {
      for await (const s of pipelinedSteps(batches, {
        start: runner.start,
        depth: 2,
        lrAt: () => 0.1,
        mayStart: () => !cancelled,
      }))
        got.push(s.batch.x[0]);
    })();
    await settle();
    cancelled = true;
    runner.started[0].finish({ loss: 0, hits: 0 });
    await settle();
    runner.started[1].finish({ loss: 0, hits: 0 });
    await consume;
    expect(runner.started).toHaveLength(2);
    expect(got).toEqual([0, 1]);
    expect(state.drawn).toBe(2);
    expect(state.closed).toBe(true);
  });

  it('when the caller stops early, waits for the queued step and leaves its failure handled', async () => {
    const { batches, state } = source(10);
    const runner = manualSteps();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      let loopDone = false;
      const consume = (async () => {
        for await (const s of pipelinedSteps(batches, {
          start: runner.start,
          depth: 2,
          lrAt: () => 0.1,
          mayStart: () => true,
        })) {
          if (s.batch.x[0] === 0) break; // as the trainer does on a non-finite loss
        }
        loopDone = true;
      })();
      await settle();
      runner.started[0].finish({ loss: Number.NaN, hits: 0 });
      await settle();
      // Steps 1 and 2 were out when the caller stopped: it waits for them.
      expect(loopDone).toBe(false);
      expect(runner.running()).toBe(2);
      // The later one fails first, while the pipeline still waits on the earlier one.
      runner.started[2].fail(new Error('replica aborted'));
      await settle();
      expect(loopDone).toBe(false);
      runner.started[1].fail(new Error('replica aborted'));
      await consume;
      await settle();
      expect(loopDone).toBe(true);
      expect(runner.running()).toBe(0);
      expect(state.closed).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it("passes a failed step's error to the caller", async () => {
    const { batches } = source(5);
    const steps = pipelinedSteps(batches, {
      start: (b) =>
        b.x[0] === 1
          ? Promise.reject(new Error('training thread 2 of 2 failed'))
          : Promise.resolve({ loss: 0, hits: 0 }),
      depth: 2,
      lrAt: () => 0.1,
      mayStart: () => true,
    });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const s of steps) seen.push(s.batch.x[0]);
      })(),
    ).rejects.toThrow('training thread 2 of 2 failed');
    expect(seen).toEqual([0]);
  });
});
