/**
 * duration_ms of a run whose process died: recovery counts the dead attempt up to the last thing
 * it recorded, and a resumed run's duration adds up every attempt. A real database with an
 * injected clock, so the durations are exact.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore, type NewRunInput } from '../../src-main/runs/store';
import { syntheticRunInput } from '../helpers/run-input';

let dir: string;
let now: number;
let store: RunStore;

const RUN: NewRunInput = syntheticRunInput({
  config: { model: 'mlp', dataset: 'synthetic' },
  batchSize: 32,
  seed: 1,
});

/** What a training process records at `at`: one step's loss, written at once. */
function recordStep(runId: string, step: number, at: number): void {
  now = at;
  store.appendMetrics([{ runId, step, epoch: 0, name: 'train/loss', value: 1 / (step + 1) }]);
  store.flush();
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-store-duration-'));
  now = 1_700_000_000_000;
  store = RunStore.open(path.join(dir, 'runs.sqlite'), { now: () => now, buffer: { maxDelayMs: 0 } });
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('duration of a run interrupted by a crash', () => {
  it('counts the dead attempt up to its last record, and every attempt after resume', () => {
    const run = store.createRun(RUN);
    const t0 = now;
    store.markRunning(run.id, { pid: 999_999, backend: 'wasm' });
    recordStep(run.id, 0, t0 + 2_000);
    recordStep(run.id, 1, t0 + 7_000);
    // The process dies; the next one starts an hour later and recovers the run.
    now = t0 + 3_600_000;
    expect(store.markStaleRunningAsInterrupted(() => false)).toEqual([run.id]);
    const interrupted = store.getRun(run.id)!;
    expect(interrupted.status).toBe('interrupted');
    // 7 s of training, not null and not the hour the run sat dead.
    expect(interrupted.durationMs).toBe(7_000);

    // Resumed; it dies again 3 s after its resume, having recorded at 1 s and 3 s.
    const t1 = t0 + 4_000_000;
    now = t1;
    store.resumeRun(run.id, { pid: 999_998, backend: 'wasm', fromEpoch: -1 });
    recordStep(run.id, 0, t1 + 1_000);
    recordStep(run.id, 1, t1 + 3_000);
    now = t1 + 500_000;
    store.markStaleRunningAsInterrupted(() => false);
    expect(store.getRun(run.id)!.durationMs).toBe(10_000);

    // Resumed again, and this attempt fails without a duration from the manager (say, its
    // worker never started): the earlier attempts still count.
    const t2 = t1 + 1_000_000;
    now = t2;
    store.resumeRun(run.id, { pid: 999_997, backend: 'wasm', fromEpoch: -1 });
    now = t2 + 4_000;
    expect(store.finishRun(run.id, { status: 'failed', error: 'no worker' }).durationMs).toBe(14_000);
  });

  it('an attempt that died before recording anything counts nothing', () => {
    const run = store.createRun(RUN);
    store.markRunning(run.id, { pid: 999_999, backend: 'wasm' });
    now += 60_000;
    store.markStaleRunningAsInterrupted(() => false);
    expect(store.getRun(run.id)!.durationMs).toBe(0);
  });
});
