/**
 * The run actions a user takes after training, through a real `glif serve` and its WebSocket
 * API, with real training (synthetic data, a few hundred samples): resume a cancelled run from
 * its checkpoint, rerun a cancelled one, delete runs (their rows and checkpoint files, and
 * nothing outside the run's own folder), and rename / annotate / tag a run.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent, MetricSeries, RunDetails, RunRecord, RunSummary } from '../../src-main/contract';
import { ApiClient, dataOf } from '../helpers/api-client';
import { startServe, type ServeProcess } from '../helpers/serve';

let serve: ServeProcess;
let client: ApiClient;
/** A second host on the first one's database, once that one has been stopped. */
let second: ServeProcess | undefined;

beforeAll(async () => {
  serve = await startServe();
  client = await ApiClient.connect(serve.port, serve.token, serve.origin);
});
afterAll(async () => {
  client?.close();
  await second?.dispose();
  await serve?.dispose();
});

const SMALL = { 'data.trainLimit': 512, 'data.testLimit': 64 };

/** The first event from index `from` on that matches. */
function eventAfter(from: number, match: (e: AppEvent) => boolean, timeoutMs = 100_000): Promise<AppEvent> {
  return client.waitForEvent((e) => client.events.indexOf(e) >= from && match(e), timeoutMs);
}

const statusIs = (runId: string, status: string) => (e: AppEvent) =>
  e.type === 'run.status' && e.payload.runId === runId && e.payload.status === status;

async function create(values: Record<string, unknown>, extra: { name?: string; tags?: string[] } = {}) {
  return dataOf<RunRecord>(
    await client.request('runs.create', { preset: 'synthetic-mlp', values, start: true, ...extra }),
  );
}

const details = async (runId: string) => dataOf<RunDetails>(await client.request('runs.get', { runId }));

/** The epochs of a run's per-epoch test accuracy, in stored order. */
async function recordedEpochs(runId: string): Promise<number[]> {
  const series = dataOf<MetricSeries[]>(
    await client.request('runs.metrics', { runId, names: ['epoch/test_accuracy'] }),
  );
  return series.flatMap((s) => s.points.map((p) => p.epoch));
}

/** Rows the run still has in the database file itself, table by table. */
function storedRows(runId: string): Record<string, number> {
  const db = new Database(serve.dbPath, { readonly: true, fileMustExist: true });
  try {
    const count = (sql: string) => (db.prepare(sql).get(runId) as { n: number }).n;
    return {
      runs: count('SELECT count(*) AS n FROM runs WHERE id = ?'),
      metrics: count('SELECT count(*) AS n FROM metrics WHERE run_id = ?'),
      checkpoints: count('SELECT count(*) AS n FROM checkpoints WHERE run_id = ?'),
      tags: count('SELECT count(*) AS n FROM tags WHERE run_id = ?'),
    };
  } finally {
    db.close();
  }
}

const ckptDir = (runId: string) => path.join(serve.dir, 'checkpoints', runId);

describe('run actions through glif serve', () => {
  let resumed: RunRecord; // cancelled mid-run, then resumed
  let queuedThenCancelled: RunRecord;
  let rerunOf: RunRecord;

  it('resume: a run cancelled mid-training continues from its checkpoint and records each epoch once', async () => {
    const from = client.events.length;
    resumed = await create({ ...SMALL, 'train.epochs': 3 }, { name: 'to resume' });
    // A second run waits in the queue behind it; cancelling it there needs no training.
    queuedThenCancelled = await create(
      { ...SMALL, 'train.epochs': 1 },
      { name: 'cancelled in the queue', tags: ['grid-a', 'seed-1'] },
    );
    expect(dataOf(await client.request('runs.cancel', { runId: queuedThenCancelled.id }))).toEqual({
      cancelled: true,
    });
    await eventAfter(from, statusIs(queuedThenCancelled.id, 'cancelled'));

    // Cancel as soon as the first epoch (and so its checkpoint) is done.
    await eventAfter(from, (e) => e.type === 'run.epoch' && e.payload.runId === resumed.id);
    expect(dataOf(await client.request('runs.cancel', { runId: resumed.id }))).toEqual({ cancelled: true });
    await eventAfter(from, statusIs(resumed.id, 'cancelled'));
    const cancelled = await details(resumed.id);
    expect(cancelled.run.status).toBe('cancelled');
    const lastEpoch = Math.max(...cancelled.checkpoints.map((c) => c.epoch));
    expect(lastEpoch, 'cancelled before the last epoch').toBeLessThan(2);
    for (const c of cancelled.checkpoints) expect(fs.existsSync(c.path), c.path).toBe(true);

    // A completed or unknown run cannot be resumed; a cancelled one can.
    const again = client.events.length;
    const answer = await client.request('runs.resume', { runId: resumed.id });
    expect(answer.ok, JSON.stringify(answer)).toBe(true);
    const started = await eventAfter(
      again,
      (e) => e.type === 'run.started' && e.payload.runId === resumed.id,
    );
    expect(started.type === 'run.started' && started.payload.startEpoch).toBe(lastEpoch + 1);
    await eventAfter(again, statusIs(resumed.id, 'completed'));
    const steps = client.events
      .slice(again)
      .filter((e) => e.type === 'run.step' && e.payload.runId === resumed.id);
    expect(steps.length, 'only the epochs after the checkpoint are trained').toBe((2 - lastEpoch) * 16);

    const done = await details(resumed.id);
    expect(done.run.status).toBe('completed');
    expect(done.run.finals.finalTestAccuracy).not.toBeNull();
    expect(await recordedEpochs(resumed.id)).toEqual([0, 1, 2]);
    expect(done.checkpoints.at(-1)?.epoch).toBe(2);
    // The trainer keeps the last two checkpoint files.
    expect(fs.readdirSync(ckptDir(resumed.id)).sort()).toEqual(['epoch-0002.ckpt', 'epoch-0003.ckpt']);

    const refused = await client.request('runs.resume', { runId: resumed.id });
    expect(refused).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        message: expect.stringMatching(
          /is completed; only a failed, cancelled or interrupted run can be resumed/,
        ),
      },
    });
    expect(await client.request('runs.resume', { runId: 'r0000000000000000' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('rerun: a cancelled run comes back as a new run with the same config, name and tags', async () => {
    const from = client.events.length;
    const fresh = dataOf<RunRecord>(await client.request('runs.rerun', { runId: queuedThenCancelled.id }));
    rerunOf = fresh;
    expect(fresh.id).not.toBe(queuedThenCancelled.id);
    expect(fresh.config).toEqual(queuedThenCancelled.config);
    expect(fresh.name).toBe('cancelled in the queue');
    expect(fresh.tags).toEqual(['grid-a', 'seed-1']);
    await eventAfter(from, statusIs(fresh.id, 'completed'));
    expect(await recordedEpochs(fresh.id)).toEqual([0]);
    // The original stays as it was.
    expect((await details(queuedThenCancelled.id)).run.status).toBe('cancelled');
    // Only a failed, cancelled or interrupted run is rerun.
    expect(await client.request('runs.rerun', { runId: resumed.id })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/is completed; only a failed, cancelled/) },
    });
  });

  it('delete: rows and checkpoint files go; a sibling run and files outside the folder stay', async () => {
    const victim = rerunOf.id;
    const sibling = resumed.id;
    const siblingFiles = fs.readdirSync(ckptDir(sibling)).map((f) => path.join(ckptDir(sibling), f));
    expect(siblingFiles).toHaveLength(2);
    const siblingBytes = siblingFiles.map((f) => fs.readFileSync(f));
    expect(fs.readdirSync(ckptDir(victim))).toEqual(['epoch-0001.ckpt']);
    // A row that names files outside the run's folder (a copied or hand-edited database):
    // the sibling's checkpoint and a file of the user's. Neither may be removed.
    const outside = path.join(serve.dir, 'notes.txt');
    fs.writeFileSync(outside, 'mine');
    const db = new Database(serve.dbPath);
    const insert = db.prepare(
      'INSERT INTO checkpoints (run_id, epoch, step, path, sha256, bytes, created_at) VALUES (?, ?, 0, ?, ?, 1, 0)',
    );
    insert.run(victim, 7, siblingFiles[0], 'a'.repeat(64));
    insert.run(victim, 8, outside, 'b'.repeat(64));
    insert.run(
      victim,
      9,
      path.join(ckptDir(victim), '..', sibling, path.basename(siblingFiles[1])),
      'c'.repeat(64),
    );
    db.close();
    expect(storedRows(victim).checkpoints).toBe(4);

    expect(dataOf(await client.request('runs.delete', { runId: victim }))).toEqual({ deleted: true });
    expect(storedRows(victim)).toEqual({ runs: 0, metrics: 0, checkpoints: 0, tags: 0 });
    expect(await client.request('runs.get', { runId: victim })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const listed = dataOf<RunSummary[]>(await client.request('runs.list', {}));
    expect(listed.map((r) => r.id)).not.toContain(victim);
    expect(fs.existsSync(ckptDir(victim)), 'the run folder is gone').toBe(false);
    siblingFiles.forEach((f, i) => {
      expect(fs.existsSync(f), `the sibling's ${f} is kept`).toBe(true);
      expect(fs.readFileSync(f).equals(siblingBytes[i]), f).toBe(true);
    });
    expect(fs.readFileSync(outside, 'utf8')).toBe('mine');
    expect(storedRows(sibling).runs).toBe(1);

    // A run that never trained has no folder; deleting it is fine. Twice is not found.
    expect(dataOf(await client.request('runs.delete', { runId: queuedThenCancelled.id }))).toEqual({
      deleted: true,
    });
    expect(await client.request('runs.delete', { runId: queuedThenCancelled.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('delete refuses a run that is training', async () => {
    const from = client.events.length;
    const busy = await create({ ...SMALL, 'train.epochs': 50 });
    await eventAfter(from, (e) => e.type === 'run.step' && e.payload.runId === busy.id);
    expect(await client.request('runs.delete', { runId: busy.id })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringMatching(/training or queued; cancel it first/) },
    });
    expect(storedRows(busy.id).runs).toBe(1);
    await client.request('runs.cancel', { runId: busy.id });
    await eventAfter(from, statusIs(busy.id, 'cancelled'));
  });

  it('update: name, notes and tags persist in the database; bad input is refused and changes nothing', async () => {
    const runId = resumed.id;
    const updated = dataOf<RunRecord>(
      await client.request('runs.update', {
        runId,
        name: '  GLIF, resumed  ',
        notes: 'cancelled after epoch 1\nresumed from its checkpoint',
        tags: ['resume', ' baseline ', 'resume'],
      }),
    );
    expect(updated).toMatchObject({
      name: 'GLIF, resumed',
      notes: 'cancelled after epoch 1\nresumed from its checkpoint',
      tags: ['baseline', 'resume'],
    });
    const db = new Database(serve.dbPath, { readonly: true, fileMustExist: true });
    const row = db.prepare('SELECT name, notes FROM runs WHERE id = ?').get(runId);
    const tags = db.prepare('SELECT tag FROM tags WHERE run_id = ? ORDER BY tag').pluck().all(runId);
    db.close();
    expect(row).toEqual({
      name: 'GLIF, resumed',
      notes: 'cancelled after epoch 1\nresumed from its checkpoint',
    });
    expect(tags).toEqual(['baseline', 'resume']);
    const tagged = dataOf<RunSummary[]>(await client.request('runs.list', { tags: ['baseline'] }));
    expect(tagged.map((r) => r.id)).toEqual([runId]);

    const refusals: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ name: '   ' }, 'invalid_params', /a run name cannot be empty/],
      [{ name: 'x'.repeat(201) }, 'invalid_params', /name/],
      [{ tags: ['t'.repeat(80)] }, 'invalid_params', /tag longer than 64 characters/],
      [{ tags: 'baseline' }, 'invalid_params', /tags/],
      [{ notes: 42 }, 'invalid_params', /notes/],
      [{ colour: 'red' }, 'invalid_params', /colour/],
      // A good name with a bad tag: nothing is written, not half of it.
      [{ name: 'half-written', tags: ['ok', 'u'.repeat(70)] }, 'invalid_params', /tag longer/],
    ];
    for (const [patch, code, message] of refusals) {
      const r = await client.request('runs.update', { runId, ...patch });
      expect(r, JSON.stringify(patch)).toMatchObject({ ok: false, error: { code, message } });
    }
    expect(await client.request('runs.update', { runId: 'r0000000000000000', name: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect((await details(runId)).run).toMatchObject({
      name: 'GLIF, resumed',
      tags: ['baseline', 'resume'],
    });
  });

  // Last: it stops the host the other tests share.
  it('resume: a run interrupted by stopping the host continues on the next host', async () => {
    const from = client.events.length;
    const run = await create({ ...SMALL, 'train.epochs': 3 }, { name: 'interrupted' });
    await eventAfter(from, (e) => e.type === 'run.epoch' && e.payload.runId === run.id);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toEqual({ code: 0, signal: null });
    const db = new Database(serve.dbPath, { readonly: true, fileMustExist: true });
    const stopped = db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(run.id);
    const lastEpoch = db
      .prepare('SELECT max(epoch) FROM checkpoints WHERE run_id = ?')
      .pluck()
      .get(run.id) as number;
    db.close();
    expect(stopped).toBe('interrupted');
    expect(lastEpoch).toBeLessThan(2);

    second = await startServe({ db: serve.dbPath });
    client.close();
    client = await ApiClient.connect(second.port, second.token, second.origin);
    const again = client.events.length;
    expect((await client.request('runs.resume', { runId: run.id })).ok).toBe(true);
    const started = await eventAfter(again, (e) => e.type === 'run.started' && e.payload.runId === run.id);
    expect(started.type === 'run.started' && started.payload.startEpoch).toBe(lastEpoch + 1);
    await eventAfter(again, statusIs(run.id, 'completed'));
    expect(await recordedEpochs(run.id)).toEqual([0, 1, 2]);
  });
});
