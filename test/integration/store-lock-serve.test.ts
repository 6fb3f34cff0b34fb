/**
 * Store suite: another process (a backup tool, a sqlite shell) holds the database's write lock
 * for 15 s while `glif serve` records a run. The host must keep answering HTTP meanwhile (each
 * retry of a locked write blocks its event loop for a short busy_timeout, not for the full
 * 5 s), lose none of the run's steps, and leave a database that passes integrity_check.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-main/contract';
import { ApiClient, dataOf } from '../helpers/api-client';
import { repoRoot } from '../helpers/paths';
import { startServe, type ServeProcess } from '../helpers/serve';

const HOLD_MS = 15_000;

let serve: ServeProcess | undefined;
let client: ApiClient | undefined;
let locker: ChildProcess | undefined;
afterEach(async () => {
  locker?.kill('SIGKILL');
  client?.close();
  await serve?.dispose();
  serve = client = locker = undefined;
});

/** A process that takes the write lock, holds it `holdMs`, then exits; resolves once it holds it. */
function holdLock(dbFile: string, holdMs: number): Promise<{ released: Promise<void> }> {
  const script = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
setTimeout(() => { db.exec('COMMIT'); db.close(); }, Number(process.argv[2]));
`;
  const child = spawn(process.execPath, ['-e', script, dbFile, String(holdMs)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  locker = child;
  const released = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      if (String(b).includes('locked')) resolve({ released });
    });
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before locking`)));
  });
}

describe('a write lock held 15 s by another process while glif serve records a run', () => {
  it('keeps answering HTTP, loses no step, and the database stays intact', async () => {
    serve = await startServe({ threads: 1 });
    const s = serve;
    const c = await ApiClient.connect(s.port, s.token, s.origin);
    client = c;
    const run = dataOf<RunRecord>(
      await c.request('runs.create', {
        preset: 'synthetic-mlp',
        values: { 'train.epochs': 200 },
        start: true,
      }),
    );
    const steps = () => c.events.filter((e) => e.type === 'run.step' && e.payload.runId === run.id).length;
    await c.waitForEvent((e) => e.type === 'run.step' && e.payload.runId === run.id);

    const { released } = await holdLock(s.dbPath, HOLD_MS);
    const stepsAtLock = steps();
    let slowest = 0;
    let answered = 0;
    let done = false;
    void released.then(() => (done = true));
    while (!done) {
      const t0 = performance.now();
      const res = await fetch(`${s.origin}/`);
      await res.text();
      expect(res.status).toBe(200);
      slowest = Math.max(slowest, performance.now() - t0);
      answered++;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Training went on under the lock, so the host had writes to retry the whole time.
    expect(steps()).toBeGreaterThan(stepsAtLock + 10);
    expect(s.stdout() + s.stderr()).toMatch(/locked by another process/);
    expect(answered).toBeGreaterThan(HOLD_MS / 1000);
    console.log(`HTTP during the lock: ${answered} answers, slowest ${slowest.toFixed(0)} ms`);
    // Without short retries, an attempt blocks for busy_timeout (5 s) while the lock is held.
    expect(slowest, 'the slowest HTTP answer during the lock (ms)').toBeLessThan(1000);

    // A few more steps after the release, then a clean stop: everything reported is stored.
    const after = steps() + 5;
    await c.waitForEvent(
      (e) => e.type === 'run.step' && e.payload.runId === run.id && steps() >= after,
      60_000,
    );
    s.child.kill('SIGTERM');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    const reported = steps();
    const db = new Database(s.dbPath, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = db
        .prepare("SELECT step FROM metrics WHERE run_id = ? AND name = 'train/loss' ORDER BY step")
        .all(run.id) as Array<{ step: number }>;
      expect(stored.map((r) => r.step)).toEqual(Array.from({ length: stored.length }, (_, i) => i));
      expect(stored.length).toBeGreaterThanOrEqual(reported);
      const row = db.prepare('SELECT status FROM runs WHERE id = ?').get(run.id) as { status: string };
      expect(row.status).toBe('interrupted');
    } finally {
      db.close();
    }
  }, 90_000);
});
