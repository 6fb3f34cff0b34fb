/**
 * Another process (a second CLI, a backup tool, a sqlite shell) holds the database's write lock
 * for much longer than busy_timeout while a run records its events. Nothing may crash and
 * nothing may be lost: the events stay queued and are written once the lock is released.
 *
 * The lock holder is a real second process (node with better-sqlite3, `BEGIN EXCLUSIVE`); the
 * run is a RunManager over a fake worker (no TensorFlow.js), so the events arrive at full speed
 * while the lock is held. busy_timeout is lowered to 50 ms (RunStore's busyTimeoutMs option) so
 * that the lock is held 40 times longer than it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src-main/engine/config/build';
import { RunManager } from '../../src-main/runs/manager';
import { RunStore, openRunStoreReader } from '../../src-main/runs/store';
import { fakeTestAccuracy, fakeWorkerLauncher } from '../helpers/fake-worker';
import { repoRoot } from '../helpers/paths';

const BUSY_TIMEOUT_MS = 50;
const HOLD_MS = 2000;
const EPOCHS = 3;
const STEPS_PER_EPOCH = 30;

let dir: string;
let dbFile: string;
let locker: ChildProcess | null = null;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-store-lock-'));
  dbFile = path.join(dir, 'runs.sqlite');
});

afterEach(() => {
  locker?.kill('SIGKILL');
  locker = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts a process that takes the write lock and holds it for `holdMs`; resolves once it holds it. */
function holdLock(holdMs: number): Promise<{ released: Promise<void> }> {
  const script = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released\\n');
}, Number(process.argv[2]));
`;
  const child = spawn(process.execPath, ['-e', script, dbFile, String(holdMs)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  locker = child;
  let out = '';
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolveLocked, rejectLocked) => {
    let onReleased: () => void = () => {};
    const released = new Promise<void>((r) => (onReleased = r));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('locked\n')) resolveLocked({ released });
      if (out.includes('released\n')) onReleased();
    });
    child.on('exit', (code) => {
      if (!out.includes('locked\n')) rejectLocked(new Error(`the lock holder exited (${code}): ${err}`));
    });
  });
}

describe('a write lock held by another process for longer than busy_timeout', () => {
  it('keeps every event of a run recorded meanwhile, writes them after release, and crashes nothing', async () => {
    const store = RunStore.open(dbFile, {
      busyTimeoutMs: BUSY_TIMEOUT_MS,
      buffer: { maxItems: 16, maxDelayMs: 20 },
    });
    try {
      let lockReleased = false;
      let handlerError: unknown = null;
      let storedAtDone = -1;
      const launch = fakeWorkerLauncher({
        epochs: EPOCHS,
        stepsPerEpoch: STEPS_PER_EPOCH,
        // The run has started (marked running, threads recorded); everything after comes under the lock.
        beforeMessage: async (m) => {
          if (m.type === 'event' && m.event.type === 'step' && m.event.step === 0) {
            const { released } = await holdLock(HOLD_MS);
            void released.then(() => (lockReleased = true));
          }
        },
        afterMessage: (m) => {
          if (m.type !== 'done') return;
          // Every event has been handed over while the lock is still held: they are queued, not written.
          expect(lockReleased).toBe(false);
          const reader = openRunStoreReader(dbFile);
          try {
            storedAtDone = reader.getMetrics(runId, ['train/loss'])[0].totalPoints;
          } finally {
            reader.close();
          }
        },
        onHandlerError: (error) => (handlerError = error),
      });
      const manager = new RunManager({ store, dataDir: dir, launch });
      const runId = manager.createRun(
        buildConfig({ preset: 'synthetic-mlp', overrides: [`train.epochs=${EPOCHS}`] }),
      ).id;

      const record = await manager.start(runId);

      expect(handlerError).toBeNull();
      expect(lockReleased).toBe(true);
      expect(storedAtDone).toBe(0);
      expect(record.status, record.error ?? '').toBe('completed');
      expect(record.threads).toBe(1);
      expect(record.finals.finalTestAccuracy).toBeCloseTo(fakeTestAccuracy(EPOCHS - 1), 12);
      const [loss] = store.getMetrics(runId, ['train/loss']);
      expect(loss.points.map((p) => p.step)).toEqual(
        Array.from({ length: EPOCHS * STEPS_PER_EPOCH }, (_, i) => i),
      );
      const [summary] = store.getMetrics(runId, ['epoch/test_accuracy']);
      expect(summary.points.map((p) => p.epoch)).toEqual([0, 1, 2]);
      expect(store.getCheckpoints(runId).map((c) => c.epoch)).toEqual([0, 1, 2]);
      expect(store.pendingWrites).toBe(0);
    } finally {
      store.close();
    }
  }, 30_000);
});
