/**
 * What a run says beside its numbers reaches the UI as `run.log` events: an image folder's
 * decoding, split by split, before the run's first step (the run page's "Preparing data" line),
 * with the reason the cache was built. A real Workbench, its real training worker and store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventMap, EventName } from '../../src-main/contract';
import { RunStore } from '../../src-main/runs/store/run-store';
import { Workbench } from '../../src-main/service/workbench';
import { writeImageFolder } from '../helpers/image-folder';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-run-log-'));
let workbench: Workbench | undefined;
afterAll(async () => {
  await workbench?.close('test finished');
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('run.log', () => {
  it("reports an image folder's preparation before the first step", async () => {
    const root = path.join(tmp, 'pictures');
    await writeImageFolder(root, { classes: ['a', 'b'], perClass: 10, layout: 'flat' });
    const events: Array<{ type: EventName; payload: EventMap[EventName] }> = [];
    workbench = new Workbench(RunStore.open(path.join(tmp, 'runs.sqlite')), tmp, (type, payload) =>
      events.push({ type, payload }),
    );
    const run = workbench.createRun({
      preset: 'synthetic-mlp',
      values: {
        'data.dataset': 'image-folder',
        'data.path': root,
        'data.imageSize': 16,
        'train.epochs': 1,
        'train.batchSize': 6,
      },
      start: false,
      acceptEpochEstimate: true,
    });
    const done = await workbench.manager.start(run.id);
    expect(done.status, done.error ?? '').toBe('completed');

    const logs = events.flatMap((e) => (e.type === 'run.log' ? [e.payload as EventMap['run.log']] : []));
    const started = events.findIndex((e) => e.type === 'run.started');
    const lastPreparing = events.findLastIndex((e) => e.type === 'run.log' && 'preparing' in e.payload);
    expect(lastPreparing).toBeGreaterThanOrEqual(0);
    expect(lastPreparing).toBeLessThan(started);
    // 18 training images (every tenth of a class held out), 2 test images; each split converted.
    const train = logs.filter((l) => l.preparing?.split === 'train');
    expect(train[0]).toMatchObject({
      runId: run.id,
      level: 'info',
      preparing: { split: 'train', phase: 'convert', total: 18, reason: expect.any(String) },
    });
    expect(train.at(-1)!.preparing).toEqual({ split: 'train', phase: 'done', done: 18, total: 18 });
    expect(train.at(-1)!.message).toBe('preparing data: train split ready, 18 converted into the cache');
    expect(logs.some((l) => l.preparing?.split === 'test' && l.preparing.phase === 'done')).toBe(true);
  });
});
