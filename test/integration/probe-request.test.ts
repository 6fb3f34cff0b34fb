/**
 * `runs.probe` through the request handlers on a real SQLite store: a run trained by `glif train`,
 * probed in a worker thread started from the probe worker's entry, the same numbers as
 * `glif probe --json`, answered from the cache the second time, and the failures as contract
 * errors with their codes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDispatcher, requests, type Dispatch, type RunProbe } from '../../src-main/contract';
import { RunStore } from '../../src-main/runs/store/run-store';
import { createRequestHandlers } from '../../src-main/service/request-handlers';
import { Workbench } from '../../src-main/service/workbench';
import { glif } from '../helpers/cli';

/** The entries of the worker threads this process starts (the real Worker, counted). */
const threads = vi.hoisted(() => ({ entries: [] as string[] }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:worker_threads')>();
  class CountedWorker extends original.Worker {
    constructor(url: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      super(url, options);
      const data = options?.workerData as { entry?: string } | undefined;
      threads.entries.push(data?.entry ?? String(url));
    }
  }
  return { ...original, Worker: CountedWorker };
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-probe-req-'));
const db = path.join(tmp, 'runs.sqlite');
let runId = '';
let workbench: Workbench | undefined;
let dispatch: Dispatch;

beforeAll(() => {
  const sets = ['data.dataset=synthetic', 'data.trainLimit=32', 'data.testLimit=16', 'train.batchSize=16'];
  const r = glif(
    ['train', '--preset', 'fmnist-cnn', '--db', db, '--json', ...sets.flatMap((kv) => ['--set', kv])],
    {
      timeoutMs: 90_000,
    },
  );
  expect(r.status).toBe(0);
  runId = (JSON.parse(r.stdout) as { runId: string }).runId;
  workbench = new Workbench(RunStore.open(db), tmp, () => {});
  const host = { appName: 'GLIF Workbench', appVersion: '0', host: 'electron' } as const;
  dispatch = createDispatcher(requests, createRequestHandlers(host, workbench));
}, 100_000);

afterAll(async () => {
  await workbench?.close('test finished');
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('runs.probe', () => {
  const params = () => ({ runId, layer: 'features.1', channels: [0, 5], samples: [3, 7, 1, 0, 2, 4, 6, 8] });

  it('is computed in a worker thread, equals `glif probe --json`, and is cached', async () => {
    const first = await dispatch('runs.probe', params());
    if (!first.ok) throw new Error(first.error.message);
    const probe = first.data as RunProbe;
    expect(probe.cached).toBe(false);
    expect(probe.runId).toBe(runId);
    expect(probe.checkpoint.epoch).toBe(0);
    expect(probe.samples).toHaveLength(8);
    // Building the conv net, reading the checkpoint and its forward pass happened in one worker.
    expect(threads.entries).toEqual([expect.stringMatching(/probe-worker\.ts$/)]);

    const p = params();
    const cli = glif([
      'probe',
      runId,
      '--layer',
      p.layer,
      '--channel',
      p.channels.join(','),
      '--sample',
      p.samples.join(','),
      '--json',
      '--db',
      db,
    ]);
    expect(cli.status).toBe(0);
    const fromCli = JSON.parse(cli.stdout) as RunProbe & { checkpoint: { path: string } };
    expect(fromCli.checkpoint.sha256).toBe(probe.checkpoint.sha256);
    const { cached: _c, checkpoint: _k, ...computed } = probe;
    const { checkpoint: _ck, ...printed } = fromCli;
    expect(printed).toEqual(computed);

    const again = await dispatch('runs.probe', params());
    expect(again).toMatchObject({ ok: true, data: { cached: true } });
    if (again.ok) expect({ ...(again.data as RunProbe), cached: false }).toEqual(probe);
    // Another sample set is another entry.
    const other = await dispatch('runs.probe', { ...params(), samples: [9] });
    expect(other).toMatchObject({ ok: true, data: { cached: false, samples: [{ index: 9 }] } });
    // The thread stays for later probes.
    expect(threads.entries).toHaveLength(1);
  });

  it('answers what cannot be probed with a contract error', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ...params(), runId: 'r0000missing' }, 'not_found', /no run 'r0000missing'/],
      [
        { ...params(), layer: 'features.9' },
        'invalid_params',
        /unknown layer 'features\.9'; GLIF layers: features\.1, features\.4/,
      ],
      [{ ...params(), channels: [999] }, 'invalid_params', /channel 999 is out of range/],
      [{ ...params(), samples: [600] }, 'invalid_params', /sample 600 is out of range/],
      [{ ...params(), channels: [] }, 'invalid_params', /channels/],
      [{ ...params(), samples: [-1] }, 'invalid_params', /samples/],
      [{ ...params(), extra: 1 }, 'invalid_params', /extra/],
    ];
    for (const [p, code, message] of cases) {
      const r = await dispatch('runs.probe', p as never);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe(code);
        expect(r.error.message).toMatch(message);
      }
    }
    fs.rmSync(path.join(tmp, 'checkpoints', runId), { recursive: true, force: true });
    const gone = await dispatch('runs.probe', params());
    expect(gone).toMatchObject({ ok: false, error: { code: 'conflict' } });
    if (!gone.ok) expect(gone.error.message).toMatch(/has no checkpoint on disk yet/);
  });
});
