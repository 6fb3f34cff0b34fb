/**
 * Store suite: the disk fills while `glif train` records a run. The database and the
 * checkpoints live on a 16 MiB tmpfs (room for the whole run once the filler is gone; with 3 MiB
 * the resume itself now and then ran out of space); once a few epochs are recorded, a filler
 * file takes the rest of the space. The CLI must end by itself with one clear line (no stack trace), keep
 * every epoch committed before the disk filled, and leave a database that passes
 * integrity_check; with space freed again, resume completes the run.
 *
 * Needs root to mount the tmpfs; without it (or without `mount`) the test is skipped and says so.
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { glif } from '../helpers/cli';
import { glifBin } from '../helpers/paths';

let mountDir: string;
let mounted = false;

beforeAll(() => {
  mountDir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-disk-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mountDir], { encoding: 'utf8' });
  mounted = r.status === 0;
  if (!mounted) console.log(`disk-full test skipped: cannot mount a tmpfs (${r.stderr || r.error?.message})`);
});

afterAll(() => {
  if (mounted) spawnSync('umount', ['-l', mountDir]);
  fs.rmSync(mountDir, { recursive: true, force: true });
});

/** Writes 64 KiB chunks until the file system refuses one (ENOSPC). */
function fillDisk(file: string): number {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let bytes = 0;
  try {
    for (;;) bytes += fs.writeSync(fd, chunk);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

function epochsStored(db: string, runId: string): number[] {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = conn
      .prepare("SELECT epoch FROM metrics WHERE run_id = ? AND name = 'epoch/test_accuracy' ORDER BY epoch")
      .all(runId) as Array<{ epoch: number }>;
    return rows.map((r) => r.epoch);
  } finally {
    conn.close();
  }
}

describe('a disk that fills while a run records', () => {
  it('ends with one clear line, keeps what was committed, integrity ok, resume completes', async (ctx) => {
    if (!mounted) ctx.skip();
    const db = path.join(mountDir, 'runs.sqlite');
    const settings = ['train.epochs=40', 'data.trainLimit=64', 'data.testLimit=32'];
    const child = spawn(
      process.execPath,
      [
        glifBin,
        'train',
        '--preset',
        'synthetic-mlp',
        ...settings.flatMap((s) => ['--set', s]),
        '--threads',
        '1',
        '--db',
        db,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let filled = false;
    let epochsBeforeFill = -1;
    let runId = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      const onData = (b: Buffer) => {
        out += String(b);
        runId ||= /run (\w+) \(database/.exec(out)?.[1] ?? '';
        if (!filled && /epoch 3\/40 done/.test(out)) {
          filled = true;
          epochsBeforeFill = epochsStored(db, runId).length;
          fillDisk(path.join(mountDir, 'filler'));
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then(() => resolve());
    });
    const code = await Promise.race([
      exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 60_000)),
    ]);
    if (code === 'hung') child.kill('SIGKILL');
    console.log(`disk full: exit ${code}; last lines:\n${out.trim().split('\n').slice(-3).join('\n')}`);
    expect(filled, out).toBe(true);
    expect(code, out).not.toBe('hung');
    expect(code, out).not.toBe(0);
    expect(out, 'no stack trace').not.toMatch(/^\s+at /m);
    expect(out).toMatch(/no space left on device|database or disk is full|disk is full/i);

    fs.rmSync(path.join(mountDir, 'filler'));
    const kept = epochsStored(db, runId);
    expect(kept.length).toBeGreaterThanOrEqual(epochsBeforeFill);
    expect(kept).toEqual(kept.map((_, i) => i));

    const resumed = glif(['train', '--resume', runId, '--threads', '1', '--db', db, '--json']);
    expect(resumed.status, resumed.stdout + resumed.stderr).toBe(0);
    expect(epochsStored(db, runId)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  }, 110_000);
});
