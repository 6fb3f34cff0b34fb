/**
 * Deleting a run removes its checkpoint files, and only files inside its own checkpoint folder
 * (`<dataDir>/checkpoints/<runId>/`): a checkpoint row naming any other path (a database edited
 * by hand, copied from elsewhere, or written by a buggy version) must not delete that file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workbench } from '../../src-main/service/workbench';
import { RunStore, checkpointDir } from '../../src-main/runs/store';
import { syntheticRunInput } from '../helpers/run-input';

let dir: string;
let store: RunStore;
let wb: Workbench;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-store-delete-'));
  store = RunStore.open(path.join(dir, 'runs.sqlite'));
  wb = new Workbench(store, dir, () => {});
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const SHA = 'a'.repeat(64);

function endedRun(): string {
  const runId = store.createRun(syntheticRunInput({ epochs: 4 })).id;
  store.markRunning(runId, { pid: process.pid, backend: 'cpu' });
  return runId;
}

function write(file: string, text: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('deleting a run', () => {
  it('removes only files inside its checkpoint folder, then the empty folder', async () => {
    const runId = endedRun();
    const own = checkpointDir(runId, dir);
    const inside = write(path.join(own, 'epoch-0001.ckpt'), 'checkpoint 1');
    // Left by a writer that crashed before its rename, and a pruned epoch's row without a file.
    write(path.join(own, 'epoch-0002.ckpt.tmp-4194305'), 'partial');
    const outside = write(path.join(dir, 'elsewhere', 'precious.ckpt'), 'keep me');
    const otherRun = write(
      path.join(dir, 'checkpoints', 'r0otherrun0000000', 'epoch-0001.ckpt'),
      'not yours',
    );
    const linkTarget = write(path.join(dir, 'linked.txt'), 'keep me too');
    const link = path.join(own, 'epoch-0004.ckpt');
    fs.symlinkSync(linkTarget, link);

    const rows = [
      inside,
      outside, // an absolute path anywhere
      path.join(own, '..', 'r0otherrun0000000', 'epoch-0001.ckpt'), // climbs out of the folder
      link, // inside, but a link to a file outside: the link goes, its target stays
      path.join(own, 'epoch-0006.ckpt'), // pruned: no file any more
    ];
    rows.forEach((p, epoch) =>
      store.addCheckpoint({ runId, epoch, step: epoch, path: p, sha256: SHA, bytes: 1 }),
    );
    store.finishRun(runId, { status: 'cancelled' });

    await expect(wb.deleteRun(runId)).resolves.toEqual({ deleted: true });

    expect(store.getRun(runId)).toBeNull();
    expect(fs.readFileSync(outside, 'utf8')).toBe('keep me');
    expect(fs.readFileSync(otherRun, 'utf8')).toBe('not yours');
    expect(fs.readFileSync(linkTarget, 'utf8')).toBe('keep me too');
    expect(fs.existsSync(own)).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'checkpoints'))).toEqual(['r0otherrun0000000']);
  });

  it('keeps the folder when it holds something the trainer did not write', async () => {
    const runId = endedRun();
    const own = checkpointDir(runId, dir);
    const ckpt = write(path.join(own, 'epoch-0001.ckpt'), 'checkpoint 1');
    const notes = write(path.join(own, 'notes.txt'), 'mine');
    store.addCheckpoint({ runId, epoch: 0, step: 1, path: ckpt, sha256: SHA, bytes: 1 });
    store.finishRun(runId, { status: 'completed' });

    await wb.deleteRun(runId);

    expect(fs.existsSync(ckpt)).toBe(false);
    expect(fs.readFileSync(notes, 'utf8')).toBe('mine');
  });
});
