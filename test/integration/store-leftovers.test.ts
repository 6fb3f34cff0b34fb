/**
 * What a crash or checkpoint pruning leaves behind: half-written checkpoints
 * (`epoch-NNNN.ckpt.tmp-<pid>`) of a trainer killed before its rename are removed on the next
 * start (recovery) and on resume, only when their process is gone; `glif runs show` lists the
 * checkpoints still on disk, not the rows of pruned ones.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src-main/engine/config/build';
import { RunManager } from '../../src-main/runs/manager';
import { RunStore, checkpointDir } from '../../src-main/runs/store';
import { glif } from '../helpers/cli';
import { fakeWorkerLauncher } from '../helpers/fake-worker';
import { syntheticRunInput } from '../helpers/run-input';

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

describe('glif runs show', () => {
  it('lists the checkpoints still on disk and counts the pruned ones', () => {
    const store = RunStore.open(dbFile);
    let runId: string;
    try {
      runId = store.createRun(syntheticRunInput({ epochs: 3 })).id;
      store.markRunning(runId, { pid: process.pid, backend: 'cpu' });
      const own = checkpointDir(runId, dir);
      for (let epoch = 0; epoch < 3; epoch++) {
        const file = path.join(own, `epoch-000${epoch + 1}.ckpt`);
        // The trainer keeps the newest two files; epoch 1's was pruned, its row stays.
        if (epoch > 0) write(file);
        store.addCheckpoint({ runId, epoch, step: epoch * 10, path: file, sha256: 'e'.repeat(64), bytes: 1 });
      }
      store.finishRun(runId, { status: 'completed' });
    } finally {
      store.close();
    }

    const show = glif(['runs', 'show', runId, '--db', dbFile]);
    expect(show.status, show.stderr).toBe(0);
    const listed = show.stdout.split('\n').filter((l) => /^\s+epoch \d+\s+step/.test(l));
    expect(listed.map((l) => l.trim().split(/\s+/)[1])).toEqual(['2', '3']);
    expect(show.stdout).toMatch(/1 older checkpoint pruned from disk/);

    const json = JSON.parse(glif(['runs', 'show', runId, '--db', dbFile, '--json']).stdout) as {
      checkpoints: Array<{ epoch: number }>;
      prunedCheckpoints: number;
    };
    expect(json.checkpoints.map((c) => c.epoch)).toEqual([1, 2]);
    expect(json.prunedCheckpoints).toBe(1);
  });
});
