/**
 * Stopping `glif serve` while it trains: a terminal's Ctrl-C (SIGINT to the whole process
 * group, host and worker alike) or a service manager's SIGTERM to the host alone. The host
 * must stop the run, wait for its worker, mark the run interrupted, close the store and exit 0
 * without a stack trace.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent, RunRecord } from '../../src-main/contract';
import { ApiClient, dataOf } from '../helpers/api-client';
import { childPids, processAlive, startServe, type ServeProcess } from '../helpers/serve';

let serve: ServeProcess | undefined;
let client: ApiClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await serve?.dispose();
  serve = undefined;
});

/** Starts a run long enough to be stopped in the middle, and waits for its first training step. */
async function startLongRun(
  s: ServeProcess,
): Promise<{ client: ApiClient; runId: string; workers: number[] }> {
  const c = await ApiClient.connect(s.port, s.token, s.origin);
  client = c;
  const run = dataOf<RunRecord>(
    await c.request('runs.create', { preset: 'synthetic-mlp', values: { 'train.epochs': 200 }, start: true }),
  );
  await c.waitForEvent((e) => e.type === 'run.step' && e.payload.runId === run.id);
  const workers = childPids(s.pid);
  expect(workers.length, 'the run trains in a worker process').toBeGreaterThan(0);
  return { client: c, runId: run.id, workers };
}

function storedRun(dbPath: string, runId: string): { status: string; error: string | null } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return db.prepare('SELECT status, error FROM runs WHERE id = ?').get(runId) as {
      status: string;
      error: string | null;
    };
  } finally {
    db.close();
  }
}

const statusOf = (runId: string) => (e: AppEvent) => e.type === 'run.status' && e.payload.runId === runId;
const ended = (runId: string) => (e: AppEvent) =>
  e.type === 'run.status' && e.payload.runId === runId && e.payload.status !== 'running';

describe('stopping glif serve during a run', () => {
  for (const [how, stop] of [
    ['Ctrl-C (SIGINT to the process group)', (s: ServeProcess) => s.signalGroup('SIGINT')],
    ['SIGTERM to the host alone', (s: ServeProcess) => s.child.kill('SIGTERM')],
  ] as const) {
    it(`${how}: interrupts the run, ends the worker, closes the store, exits 0`, async () => {
      serve = await startServe();
      const { client: c, runId, workers } = await startLongRun(serve);
      stop(serve);
      const exit = await serve.exited;
      const stderr = serve.stderr();
      expect(stderr, 'no stack trace').not.toMatch(/^\s+at /m);
      expect(stderr).not.toMatch(/database connection is not open/);
      expect(exit).toEqual({ code: 0, signal: null });
      for (const pid of workers) expect(processAlive(pid), `worker ${pid} left behind`).toBe(false);
      const run = storedRun(serve.dbPath, runId);
      expect(run).toMatchObject({
        status: 'interrupted',
        error: expect.stringMatching(/glif serve was stopped/),
      });
      // The browser still connected was told before the connection closed.
      const last = c.events.filter(statusOf(runId)).at(-1);
      expect(last).toMatchObject({ payload: { status: 'interrupted' } });
    });
  }

  it('a Ctrl-C that reaches the worker first leaves the stopping to the host', async () => {
    serve = await startServe();
    const { client: c, runId, workers } = await startLongRun(serve);
    const stepOf = (e: AppEvent) =>
      e.type === 'run.step' && e.payload.runId === runId ? e.payload.step : -1;
    const lastStep = Math.max(...c.events.map(stepOf));
    for (const pid of workers) process.kill(pid, 'SIGINT');
    // A worker that died of it would report no more steps, and the run would end as failed.
    const next = await c.waitForEvent((e) => ended(runId)(e) || stepOf(e) >= lastStep + 5);
    expect(next.type, `the run ended: ${JSON.stringify(next.payload)}`).toBe('run.step');
    serve.child.kill('SIGINT');
    expect(await serve.exited).toEqual({ code: 0, signal: null });
    expect(storedRun(serve.dbPath, runId).status).toBe('interrupted');
  });
});
