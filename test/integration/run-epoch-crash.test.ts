/**
 * The process that records a run dies (SIGKILL) right after the worker reported the checkpoint
 * of an epoch and before that epoch's summary arrived. A checkpoint must never be on record
 * without its epoch's summary: resume starts after the latest recorded checkpoint, so such an
 * epoch's summary would be lost for good. The recording process is a real child (tsx) running
 * a RunManager over a fake worker (no TensorFlow.js); the resume runs here.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src-main/engine/config/build';
import { RunManager } from '../../src-main/runs/manager';
import { RunStore, openRunStoreReader } from '../../src-main/runs/store';
import { fakeTestAccuracy, fakeWorkerLauncher } from '../helpers/fake-worker';
import { repoRoot } from '../helpers/paths';

const EPOCHS = 3;
const STEPS_PER_EPOCH = 4;

let dir: string;
let dbFile: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-epoch-crash-'));
  dbFile = path.join(dir, 'runs.sqlite');
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const src = (file: string) => JSON.stringify(path.join(repoRoot, file));

/** Starts a run in a child process that kills itself once the manager has handled `killAfter`. */
async function recordUntilKilled(killAfter: {
  event: 'checkpoint' | 'epoch';
  epoch: number;
}): Promise<string> {
  const script = path.join(dir, 'recorder.ts');
  fs.writeFileSync(
    script,
    `
import fs from 'node:fs';
import { buildConfig } from ${src('src-main/engine/config/build.ts')};
import { RunManager } from ${src('src-main/runs/manager.ts')};
import { RunStore } from ${src('src-main/runs/store/index.ts')};
import { fakeWorkerLauncher } from ${src('test/helpers/fake-worker.ts')};
const [dbFile, dataDir] = process.argv.slice(2);
const store = RunStore.open(dbFile);
const launch = fakeWorkerLauncher({
  epochs: ${EPOCHS},
  stepsPerEpoch: ${STEPS_PER_EPOCH},
  afterMessage: (m) => {
    if (m.type === 'event' && m.event.type === ${JSON.stringify(killAfter.event)} && m.event.epoch === ${killAfter.epoch})
      process.kill(process.pid, 'SIGKILL');
  },
});
const manager = new RunManager({ store, dataDir, launch });
const config = buildConfig({ preset: 'synthetic-mlp', overrides: ['train.epochs=${EPOCHS}'] });
const run = manager.createRun(config);
fs.writeSync(1, run.id + '\\n');
void manager.start(run.id);
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script, dbFile, dir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, s) => resolve(s)),
  );
  expect(signal, stderr).toBe('SIGKILL');
  return stdout.trim();
}

/** Per epoch, how many times each epoch-level record is there. */
function recorded(runId: string): { summaries: number[]; checkpoints: number[]; steps: number[] } {
  const reader = openRunStoreReader(dbFile);
  try {
    const [summary] = reader.getMetrics(runId, ['epoch/test_accuracy']);
    const [loss] = reader.getMetrics(runId, ['train/loss']);
    for (const p of summary.points) expect(p.value).toBeCloseTo(fakeTestAccuracy(p.epoch), 12);
    return {
      summaries: summary.points.map((p) => p.epoch),
      checkpoints: reader.getCheckpoints(runId).map((c) => c.epoch),
      steps: loss.points.map((p) => p.step),
    };
  } finally {
    reader.close();
  }
}

async function resume(runId: string): Promise<void> {
  const store = RunStore.open(dbFile);
  try {
    const manager = new RunManager({
      store,
      dataDir: dir,
      launch: fakeWorkerLauncher({ epochs: EPOCHS, stepsPerEpoch: STEPS_PER_EPOCH }),
    });
    expect(manager.recoverInterrupted()).toEqual([runId]);
    const record = await manager.resume(runId);
    expect(record.status, record.error ?? '').toBe('completed');
  } finally {
    store.close();
  }
}

describe('a crash between an epoch checkpoint and its summary', () => {
  it('never leaves a checkpoint on record without its epoch summary; resume records every epoch once', async () => {
    // Built here too, so that a config the preset no longer accepts fails here, not in the child.
    buildConfig({ preset: 'synthetic-mlp', overrides: [`train.epochs=${EPOCHS}`] });
    const runId = await recordUntilKilled({ event: 'checkpoint', epoch: 1 });

    const afterCrash = recorded(runId);
    expect(afterCrash.summaries).toEqual([0]);
    // Every recorded checkpoint has its summary: epoch 1's checkpoint is not on record alone.
    for (const epoch of afterCrash.checkpoints) expect(afterCrash.summaries).toContain(epoch);
    expect(afterCrash.checkpoints).toEqual([0]);

    await resume(runId);
    const final = recorded(runId);
    expect(final.summaries).toEqual([0, 1, 2]);
    expect(final.checkpoints).toEqual([0, 1, 2]);
    expect(final.steps).toEqual(Array.from({ length: EPOCHS * STEPS_PER_EPOCH }, (_, i) => i));
  });

  it('a crash just after the summary keeps that epoch and its checkpoint', async () => {
    const runId = await recordUntilKilled({ event: 'epoch', epoch: 1 });
    const afterCrash = recorded(runId);
    expect(afterCrash.summaries).toEqual([0, 1]);
    expect(afterCrash.checkpoints).toEqual([0, 1]);

    await resume(runId);
    const final = recorded(runId);
    expect(final.summaries).toEqual([0, 1, 2]);
    expect(final.steps).toEqual(Array.from({ length: EPOCHS * STEPS_PER_EPOCH }, (_, i) => i));
  });
});
