/**
 * The torch engine through a real `glif serve` and its WebSocket API, as the New-run form starts
 * it: engine.name=torch with two processes, live step events, the run stored with its process
 * layout and comparable with a tfjs run; without PyTorch, a run asking for it fails with the
 * reason. Where no Python with PyTorch is found, the training test is reported as skipped with
 * the reason in its name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent, ConfigSchema, RunDetails, RunRecord } from '../../src-main/contract';
import { findTorch } from '../../src-main/engine/torch/python';
import { ApiClient, dataOf } from '../helpers/api-client';
import { startServe, type ServeProcess } from '../helpers/serve';

const probe = await findTorch();
const fmnist = fs.existsSync('/usr/share/datasets/fashion-mnist');
const WHERE =
  probe.ok && fmnist
    ? `(torch ${probe.runtime.torch})`
    : `(not run here: ${probe.ok ? 'no dataset-fashion-mnist' : probe.reason})`;

let serve: ServeProcess;
let client: ApiClient;
let noTorch: ServeProcess | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-torch-serve-'));

beforeAll(async () => {
  serve = await startServe();
  client = await ApiClient.connect(serve.port, serve.token, serve.origin);
});
afterAll(async () => {
  client?.close();
  await serve?.dispose();
  await noTorch?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const statusIs = (runId: string, status: string) => (e: AppEvent) =>
  e.type === 'run.status' && e.payload.runId === runId && e.payload.status === status;

describe('the torch engine through glif serve', () => {
  it('offers the Engine fields in the New-run form schema', async () => {
    const schema = dataOf<ConfigSchema>(await client.request('config.schema', {}));
    expect(schema.groups.map((g) => g.id)).toContain('engine');
    const keys = schema.fields.filter((f) => f.group === 'engine').map((f) => f.key);
    expect(keys).toEqual(['engine.name', 'engine.processes']);
  });

  it.runIf(probe.ok && fmnist)(
    `trains fmnist-cnn on two processes, live, stored with its layout ${WHERE}`,
    async () => {
      const values = {
        'engine.name': 'torch',
        'engine.processes': 2,
        'train.batchSize': 32,
        'data.trainLimit': 2048,
        'data.testLimit': 256,
      };
      const run = dataOf<RunRecord>(
        await client.request('runs.create', { preset: 'fmnist-cnn', values, start: true }),
      );
      const step = await client.waitForEvent(
        (e) => e.type === 'run.step' && e.payload.runId === run.id,
        100_000,
      );
      expect(step).toBeDefined();
      await client.waitForEvent(statusIs(run.id, 'completed'), 200_000);
      const d = dataOf<RunDetails>(await client.request('runs.get', { runId: run.id }));
      expect(d.run.backend).toMatch(/^pytorch .* · ddp · 2 processes · gloo · cpu$/);
      expect((d.run.config as { engine: unknown }).engine).toEqual({ name: 'torch', processes: 2 });
      expect(d.run.finals.finalTestAccuracy).toBeGreaterThan(0.6);
    },
    300_000,
  );
});

describe('a torch run where there is no PyTorch', () => {
  it('fails with the reason, and the host keeps serving', async () => {
    noTorch = await startServe({ env: { GLIF_PYTHON: path.join(dir, 'no-such-python') } });
    const c = await ApiClient.connect(noTorch.port, noTorch.token, noTorch.origin);
    try {
      const run = dataOf<RunRecord>(
        await c.request('runs.create', {
          preset: 'fmnist-cnn',
          values: { 'engine.name': 'torch', 'data.trainLimit': 64, 'data.testLimit': 32 },
          start: true,
        }),
      );
      const failed = await c.waitForEvent(statusIs(run.id, 'failed'), 60_000);
      expect(failed.type === 'run.status' && failed.payload.error).toMatch(
        /the torch engine cannot run: no Python interpreter/,
      );
      const d = dataOf<RunDetails>(await c.request('runs.get', { runId: run.id }));
      expect(d.run.status).toBe('failed');
    } finally {
      c.close();
    }
  }, 120_000);
});
