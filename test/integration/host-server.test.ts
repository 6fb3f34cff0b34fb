import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent, ServerFrame } from '../../src-main/contract';
import { startHostServer, type RunningHost } from '../../src-main/host/server/host-server';
import { RunStore } from '../../src-main/runs/store/run-store';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-host-'));
const rendererDir = path.join(tmp, 'renderer');
let host: RunningHost;

beforeAll(async () => {
  fs.mkdirSync(rendererDir);
  fs.writeFileSync(
    path.join(rendererDir, 'index.html'),
    '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'" /><p>ui</p>',
  );
  host = await startHostServer({
    rendererDir,
    store: RunStore.open(path.join(tmp, 'runs.sqlite')),
    dataDir: tmp,
    host: { appName: 'GLIF Workbench', appVersion: '0.0.0-test', host: 'browser' },
  });
});
afterAll(async () => {
  await host.close('test finished');
  fs.rmSync(tmp, { recursive: true, force: true });
});

function connect(token: string, origin?: string): Promise<{ ws: WebSocket; frames: ServerFrame[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${token}`, origin ? { origin } : {});
    const frames: ServerFrame[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    ws.once('open', () => resolve({ ws, frames }));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

async function call(ws: WebSocket, frames: ServerFrame[], id: number, name: string, params: unknown) {
  ws.send(JSON.stringify({ kind: 'request', id, name, params }));
  for (let i = 0; i < 600; i++) {
    const f = frames.find((x) => x.kind === 'response' && x.id === id);
    if (f && f.kind === 'response') return f.result;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no response to ${name}`);
}

describe('headless host', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying the token', () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=[0-9a-f]{48}$`));
  });

  it('serves the renderer with a CSP header, and nothing outside it', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    for (const probe of ['/..%2fruns.sqlite', '/%2e%2e/runs.sqlite', '/../runs.sqlite']) {
      const r = await fetch(`http://127.0.0.1:${host.port}${probe}`);
      expect([403, 404], probe).toContain(r.status);
    }
  });

  it('refuses a WebSocket without the right token or from another origin', async () => {
    await expect(connect('wrong')).rejects.toThrow(/401/);
    await expect(connect(host.token, 'https://evil.example')).rejects.toThrow(/403/);
  });

  it('answers requests, validates params and pushes run events', async () => {
    const { ws, frames } = await connect(host.token, `http://127.0.0.1:${host.port}`);
    const info = await call(ws, frames, 1, 'system.info', {});
    expect(info).toMatchObject({ ok: true, data: { host: 'browser', appVersion: '0.0.0-test' } });
    const bad = await call(ws, frames, 2, 'runs.create', {
      preset: 'fmnist-cnn',
      values: { 'train.lr': -1 },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    expect(JSON.stringify(bad)).toMatch(/train\.lr: -1 is not allowed; expected a number > 0/);
    const issues = await call(ws, frames, 3, 'config.validate', {
      preset: 'fmnist-cnn',
      values: { 'model.timeSteps': '0' },
    });
    expect(issues).toMatchObject({ ok: true, data: { config: null, issues: [{ key: 'model.timeSteps' }] } });
    const created = await call(ws, frames, 4, 'runs.create', {
      preset: 'synthetic-mlp',
      values: { 'train.epochs': 1 },
      start: true,
    });
    expect(created.ok).toBe(true);
    const runId = (created as { ok: true; data: { id: string } }).data.id;
    for (let i = 0; i < 1200; i++) {
      if (
        frames.some(
          (f) =>
            f.kind === 'event' &&
            f.event.type === 'run.status' &&
            f.event.payload.runId === runId &&
            f.event.payload.status === 'completed',
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const events = frames
      .filter((f): f is { kind: 'event'; event: AppEvent } => f.kind === 'event')
      .map((f) => f.event.type);
    for (const t of ['run.status', 'run.backend', 'run.started', 'run.step', 'run.epoch'])
      expect(events, t).toContain(t);
    // Live events carry the metric points the main side mapped once (runs/metric-points.ts): the
    // same names and values the store recorded, so a chart reads the same series live or stored.
    const epochEvent = frames
      .map((f) => (f.kind === 'event' && f.event.type === 'run.epoch' ? f.event.payload : undefined))
      .find((p) => p !== undefined && p.runId === runId);
    expect(epochEvent).toBeDefined();
    const livePoints = new Map<string, number>(epochEvent!.points.map((p) => [p.name, p.value]));
    expect(livePoints.get('epoch/test_accuracy')).toBe(epochEvent!.testAccuracy);
    expect(livePoints.get('epoch/train_loss')).toBe(epochEvent!.trainLoss);
    for (const [layer, rate] of Object.entries(epochEvent!.firingRates))
      expect(livePoints.get(`firing_rate/${layer}`), layer).toBe(rate);
    const stored = await call(ws, frames, 9, 'runs.metrics', { runId, names: [...livePoints.keys()] });
    expect(stored.ok).toBe(true);
    const series = (
      stored as { ok: true; data: { name: string; points: { epoch: number; value: number }[] }[] }
    ).data;
    expect(series.map((s) => s.name).sort()).toEqual([...livePoints.keys()].sort());
    for (const s of series) {
      const atEpoch = s.points.find((p) => p.epoch === epochEvent!.epoch);
      expect(atEpoch?.value, s.name).toBeCloseTo(livePoints.get(s.name)!, 6);
    }
    // The backend the run's worker chose, not this process's (which trains nothing itself).
    const backend = await call(ws, frames, 10, 'system.backend', {});
    expect(backend).toMatchObject({ ok: true, data: { active: 'wasm' } });
    const details = await call(ws, frames, 5, 'runs.get', { runId });
    expect(details).toMatchObject({ ok: true, data: { run: { status: 'completed' } } });
    const unknown = await call(ws, frames, 6, 'runs.get', { runId: 'r0000000000000000' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // A browser has no native dialog on the host's side: the user is told to type the path.
    const dialog = await call(ws, frames, 7, 'system.chooseDataLocation', { kind: 'folder' });
    expect(dialog).toMatchObject({
      ok: false,
      error: { code: 'unavailable', message: expect.stringMatching(/desktop app/) },
    });
    const badKind = await call(ws, frames, 8, 'system.chooseDataLocation', { kind: '/etc/passwd' });
    expect(badKind).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    ws.close();
  });
});
