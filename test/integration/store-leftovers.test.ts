/**
 * What a crash leaves behind: half-written checkpoints (`epoch-NNNN.ckpt.tmp-<pid>`) of a
 * trainer killed before its rename are removed on the next start (recovery) and on resume, only
 * when their process is gone.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src-main/engine/config/build';
import { RunManager } from '../../src-main/runs/manager';
import { RunStore, checkpointDir } from '../../src-main/runs/store';
import { fakeWorkerLauncher } from '../helpers/fake-worker';

let dir: string;
let dbFile: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-store-leftovers-'));
  dbFile = path.join(dir, 'runs.sqlite');
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

function write(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, 'x');
  return file;
}

describe('half-written checkpoints', () => {
  it('are removed on recovery and on resume when their process is gone, kept while it lives', async () => {
    const store = RunStore.open(dbFile);
    try {
      const manager = new RunManager({
        store,
        dataDir: dir,
        launch: fakeWorkerLauncher({ epochs: 1, stepsPerEpoch: 2 }),
      });
      const runId = manager.createRun(
        buildConfig({ preset: 'synthetic-mlp', overrides: ['train.epochs=1'] }),
      ).id;
      const crashedPid = deadPid();
      store.markRunning(runId, { pid: crashedPid, backend: 'cpu' });
      const own = checkpointDir(runId, dir);
      const other = path.join(dir, 'checkpoints', 'r0otherrun0000000');
      const stale = write(path.join(own, `epoch-0002.ckpt.tmp-${crashedPid}`));
      const staleOther = write(path.join(other, `epoch-0001.ckpt.tmp-${crashedPid}`));
      const live = write(path.join(own, `epoch-0002.ckpt.tmp-${process.pid}`));
      const done = write(path.join(own, 'epoch-0001.ckpt'));
      const notOurs = write(path.join(own, `notes.tmp-${crashedPid}`));

      expect(manager.recoverInterrupted()).toEqual([runId]);
      expect(fs.existsSync(stale)).toBe(false);
      expect(fs.existsSync(staleOther)).toBe(false);
      for (const kept of [live, done, notOurs]) expect(fs.existsSync(kept), kept).toBe(true);

      // A crash after that start: the resume cleans the run's folder before training.
      const staleAgain = write(path.join(own, `epoch-0003.ckpt.tmp-${deadPid()}`));
      const resumed = await manager.resume(runId);
      expect(resumed.status).toBe('completed');
      expect(fs.existsSync(staleAgain)).toBe(false);
      expect(fs.existsSync(live)).toBe(true);
    } finally {
      store.close();
    }
  });
});
