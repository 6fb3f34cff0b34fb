/**
 * Read-only and mistyped databases through the `glif` CLI. Read commands (`runs list/show/
 * compare/export`) open the database read-only and refuse a missing one; write commands
 * (`train`) refuse a read-only one with one line. Neither leaves -wal/-shm files or changes
 * the database's bytes.
 *
 * Root ignores permission bits, so when the tests run as root the CLI runs as `nobody`
 * (setpriv, uid/gid 65534); as any other user it runs directly. Without either the
 * permission cases are skipped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/runs/store';
import { glif } from '../helpers/cli';
import { glifBin } from '../helpers/paths';

const isRoot = process.getuid?.() === 0;
const dropPrivileges = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const canRunUnprivileged = !isRoot || spawnSync('setpriv', [...dropPrivileges, 'true']).status === 0;

let tmp: string;
let completedRun: string;
let staleRun: string;

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `glif <args>` as a user who cannot write what root made read-only. */
function glifUnprivileged(args: readonly string[]): CliRun {
  const node = [process.execPath, glifBin, ...args];
  const [command, ...rest] = isRoot ? ['setpriv', ...dropPrivileges, ...node] : node;
  const r = spawnSync(command, rest, { encoding: 'utf8', timeout: 100_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One line on stderr, no stack trace. */
function expectOneLine(r: CliRun, pattern: RegExp): void {
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/SqliteError|\n\s+at /);
}

/** A database with a completed run (with metrics) and a run left running by a dead process. */
function seedDatabase(file: string): void {
  const store = RunStore.open(file);
  try {
    const columns = {
      dataset: 'synthetic',
      model: 'mlp',
      variant: 'glif',
      layerwise: false,
      timeSteps: 4,
      epochs: 1,
      batchSize: 8,
      lr: 0.1,
      seed: 0,
    };
    completedRun = store.createRun({ name: 'done', config: { epochs: 1 }, columns }).id;
    store.markRunning(completedRun, { pid: process.pid, backend: 'cpu' });
    store.appendMetrics([
      { runId: completedRun, step: 0, epoch: 0, name: 'train/loss', value: 0.5 },
      { runId: completedRun, step: 1, epoch: 0, name: 'train/loss', value: 0.25 },
    ]);
    store.finishRun(completedRun, { status: 'completed', finals: { finalTestAccuracy: 0.75 } });
    // A pid that has ended: a writer would mark this run interrupted, a reader must not try.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    staleRun = store.createRun({ name: 'stale', config: { epochs: 1 }, columns }).id;
    store.markRunning(staleRun, { pid: deadPid, backend: 'cpu' });
  } finally {
    store.close();
  }
}

function makeReadonlyCase(name: string, fileMode: number, dirMode: number): { db: string; dir: string } {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  const db = path.join(dir, 'runs.sqlite');
  seedDatabase(db);
  expect(fs.readdirSync(dir)).toEqual(['runs.sqlite']);
  fs.chmodSync(db, fileMode);
  fs.chmodSync(dir, dirMode);
  return { db, dir };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-store-readonly-'));
  // mkdtemp makes the folder 0700; the unprivileged CLI must be able to reach the files inside.
  fs.chmodSync(tmp, 0o755);
});

afterAll(() => {
  for (const entry of fs.readdirSync(tmp)) fs.chmodSync(path.join(tmp, entry), 0o755);
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!canRunUnprivileged)('a database the user cannot write', () => {
  for (const [name, fileMode, dirMode] of [
    ['a 0444 database file in a writable folder', 0o444, 0o777],
    ['a writable database file in a 0555 folder', 0o666, 0o555],
  ] as const) {
    it(`${name}: train refuses with one line; runs list/show/compare/export read it; nothing changes`, () => {
      const { db, dir } = makeReadonlyCase(name.replace(/\W+/g, '-'), fileMode, dirMode);
      const before = fs.readFileSync(db);

      const train = glifUnprivileged(['train', '--preset', 'synthetic-mlp', '--db', db]);
      expect(train.status, train.stderr).toBe(1);
      expectOneLine(train, /^glif train: .*read-only/);

      const list = glifUnprivileged(['runs', 'list', '--db', db, '--json']);
      expect(list.status, list.stderr).toBe(0);
      const runs = JSON.parse(list.stdout) as Array<{ id: string; status: string }>;
      // The stale run shows as interrupted (its process is gone), though nothing was written.
      expect(Object.fromEntries(runs.map((r) => [r.id, r.status]))).toEqual({
        [completedRun]: 'completed',
        [staleRun]: 'interrupted',
      });
      const show = glifUnprivileged(['runs', 'show', completedRun, '--db', db]);
      expect(show.status, show.stderr).toBe(0);
      expect(show.stdout).toMatch(/test acc 75\.00%/);
      const compare = glifUnprivileged(['runs', 'compare', completedRun, staleRun, '--db', db]);
      expect(compare.status, compare.stderr).toBe(0);
      const csv = glifUnprivileged(['runs', 'export', completedRun, '--format', 'csv', '--db', db]);
      expect(csv.status, csv.stderr).toBe(0);
      expect(csv.stdout.trim().split('\n')).toEqual([
        'run_id,run_name,kind,name,layer,statistic,epoch,step,time,elapsed_s,value',
        `${completedRun},done,metric,train/loss,,,0,0,,,0.5`,
        `${completedRun},done,metric,train/loss,,,0,1,,,0.25`,
      ]);

      expect(fs.readdirSync(dir)).toEqual(['runs.sqlite']);
      expect(fs.readFileSync(db).equals(before)).toBe(true);
    });
  }
});

describe('a mistyped --db', () => {
  it('read commands refuse a missing database with one line and create nothing', () => {
    const missingDir = path.join(tmp, 'typo');
    const missing = path.join(missingDir, 'runs.sqlite');
    for (const args of [
      ['runs', 'list', '--db', missing],
      ['runs', 'show', 'r-whatever', '--db', missing],
      ['runs', 'export', 'r-whatever', '--format', 'csv', '--db', missing],
    ]) {
      const r = glif(args);
      expect(r.status, r.stderr).toBe(2);
      expectOneLine(
        r,
        new RegExp(`^glif runs: no runs database at ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      );
    }
    expect(fs.existsSync(missingDir)).toBe(false);
    const typoFile = path.join(tmp, 'runs.sqlit');
    expect(glif(['runs', 'list', '--db', typoFile]).status).toBe(2);
    expect(fs.existsSync(typoFile)).toBe(false);
  });
});
