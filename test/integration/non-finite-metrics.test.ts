/**
 * A diverged run reports Infinity and NaN (a loss). They must arrive as such everywhere: from a
 * real worker process into the store, out of `glif runs show --json`, over `glif serve`'s
 * WebSocket (and decoded by the UI's transport), and in the UI's formatting. JSON alone turns
 * them into null, which reads as "not recorded".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildConfig } from '../../src-main/engine/config/build';
import { startHostServer } from '../../src-main/host/server/host-server';
import { RunManager } from '../../src-main/runs/manager';
import { RunStore } from '../../src-main/runs/store';
import { forkWorker } from '../../src-main/runs/worker/launch';
import { parseServerFrame } from '../../src-renderer/src/lib/api/websocket-transport';
import { formatHyper } from '../../src-renderer/src/lib/components/format';
import { glif } from '../helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-non-finite-'));
const dbFile = path.join(tmp, 'runs.sqlite');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A worker process speaking the real protocol: one step and one epoch of a run that diverged. */
const WORKER = `
process.on('message', (m) => {
  if (m.type !== 'start') return;
  const send = (event) => process.send({ type: 'event', event });
  send({ type: 'started', backend: 'stand-in', threads: 1, startEpoch: 0, epochs: 1, stepsPerEpoch: 1,
    trainSize: 8, testSize: 8, parameters: { total: 1, glif: 1, glifLayers: 1 }, layers: ['fc1.lif'] });
  send({ type: 'step', epoch: 0, step: 0, stepInEpoch: 0, stepsPerEpoch: 1, loss: Infinity,
    accuracy: 0.1, lr: 0.1, samplesPerSecond: 10, etaSeconds: 0 });
  send({ type: 'epoch', epoch: 0, step: 0, lr: 0.1, trainLoss: NaN, trainAccuracy: 0.1, testLoss: Infinity,
    testAccuracy: 0.1, firingRates: { 'fc1.lif': 0 }, sopsPerSample: 1, macsPerSample: 1, distributions: [], seconds: 0.01,
    numTensors: 1 });
  process.send({ type: 'done', outcome: { status: 'completed', epochsDone: 1, seconds: 0.01,
    final: { testAccuracy: 0.1, testLoss: Infinity, trainAccuracy: 0.1, trainLoss: -Infinity } } }, () => process.exit(0));
});
`;

let runId = '';

describe('Infinity and NaN from a diverged run', () => {
  it('reach the store from a worker process', async () => {
    const entry = path.join(tmp, 'diverged-worker.mjs');
    fs.writeFileSync(entry, WORKER);
    const store = RunStore.open(dbFile);
    try {
      const manager = new RunManager({ store, dataDir: tmp, launch: () => forkWorker(entry) });
      const run = manager.createRun(buildConfig({ preset: 'synthetic-mlp', overrides: ['train.epochs=1'] }));
      runId = run.id;
      const done = await manager.start(run.id);
      expect(done.status, done.error ?? '').toBe('completed');
      expect(done.finals).toMatchObject({ finalTestLoss: Infinity, finalTrainLoss: -Infinity });
      const series = Object.fromEntries(
        store
          .getMetrics(run.id, ['train/loss', 'epoch/test_loss', 'epoch/train_loss'])
          .map((s) => [s.name, s.points.map((p) => p.value)]),
      );
      expect(series).toEqual({
        'train/loss': [Infinity],
        'epoch/test_loss': [Infinity],
        'epoch/train_loss': [NaN],
      });
    } finally {
      store.close();
    }
  });

  it('glif runs show and export --format json write them as "Infinity" and "NaN", not null', () => {
    const shown = glif(['runs', 'show', runId, '--json', '--db', dbFile]);
    expect(shown.status, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { finals: unknown }).finals).toMatchObject({
      finalTestLoss: 'Infinity',
      finalTrainLoss: '-Infinity',
    });
    const exported = glif(['runs', 'export', runId, '--format', 'json', '--db', dbFile]);
    expect(exported.status, exported.stderr).toBe(0);
    const { metrics } = JSON.parse(exported.stdout) as {
      metrics: Array<{ name: string; points: Array<{ value: unknown }> }>;
    };
    const values = (name: string) => metrics.find((m) => m.name === name)?.points.map((p) => p.value);
    expect(values('train/loss')).toEqual(['Infinity']);
    expect(values('epoch/test_loss')).toEqual(['Infinity']);
    expect(values('epoch/train_loss')).toEqual(['NaN']);
  });

  it("glif serve's WebSocket tags them and the UI's transport reads them back; the UI shows ∞", async () => {
    const rendererDir = path.join(tmp, 'renderer');
    fs.mkdirSync(rendererDir, { recursive: true });
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<p>ui</p>');
    const host = await startHostServer({
      rendererDir,
      store: RunStore.open(dbFile),
      dataDir: tmp,
      host: { appName: 'GLIF Workbench', appVersion: '0.0.0-test', host: 'browser' },
    });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`);
      const raw = await new Promise<string>((resolve, reject) => {
        ws.once('open', () =>
          ws.send(
            JSON.stringify({
              kind: 'request',
              id: 1,
              name: 'runs.metrics',
              params: { runId, names: ['train/loss', 'epoch/train_loss'], maxPoints: 100 },
            }),
          ),
        );
        ws.once('message', (d) => resolve(String(d)));
        ws.once('error', reject);
      });
      ws.close();
      expect(raw).toContain('{"$nonFinite":"Infinity"}');
      expect(raw).toContain('{"$nonFinite":"NaN"}');
      const frame = parseServerFrame(raw);
      expect(frame?.kind).toBe('response');
      const result = frame?.kind === 'response' ? frame.result : null;
      expect(result?.ok).toBe(true);
      const series = (result as { ok: true; data: Array<{ name: string; points: Array<{ value: number }> }> })
        .data;
      const byName = Object.fromEntries(series.map((s) => [s.name, s.points.map((p) => p.value)]));
      expect(byName).toEqual({ 'train/loss': [Infinity], 'epoch/train_loss': [NaN] });
      expect(formatHyper(Infinity)).toBe('∞');
      expect(formatHyper(Number.NaN)).toBe('NaN');
      expect(formatHyper(null)).toBe('—');
    } finally {
      await host.close('test finished');
    }
  });
});
