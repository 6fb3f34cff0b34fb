import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BackendReport } from '../../src-main/engine/backend';
import { buildConfig } from '../../src-main/engine/config/build';
import { RunManager } from '../../src-main/runs/manager';
import { RunStore } from '../../src-main/runs/store/run-store';
import type { FromWorker } from '../../src-main/runs/worker/protocol';
import { repoRoot } from '../helpers/paths';

type Listener = (...args: unknown[]) => void;

/** What the desktop app asked of Electron's utilityProcess.fork, call by call. */
const electron = vi.hoisted(() => ({
  forks: [] as {
    entry: string;
    options: { serviceName?: string; env?: Record<string, string | undefined> };
  }[],
}));

/**
 * Electron's utilityProcess under Node: fork() starts a real Node process that gives the entry a
 * `process.parentPort` (test/helpers/utility-process-host.mjs) and speaks Electron's side of the
 * transport here: postMessage, 'message' with the bare message, 'exit' with the code, kill.
 */
vi.mock('electron', async () => {
  const { fork } = await import('node:child_process');
  const { EventEmitter } = await import('node:events');
  const host = path.join(repoRoot, 'test/helpers/utility-process-host.mjs');
  return {
    utilityProcess: {
      fork(entry: string, args: string[], options: (typeof electron.forks)[number]['options']) {
        electron.forks.push({ entry, options });
        const child = fork(host, [entry, ...args], {
          env: options.env,
          // A utility process gets none of this process's Node flags (vitest's loader hooks).
          execArgv: [],
          serialization: 'advanced',
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        const proc = new EventEmitter();
        child.on('message', (m) => proc.emit('message', m));
        child.once('exit', (code, signal) => proc.emit('exit', code ?? (signal ? 1 : 0)));
        return {
          postMessage: (m: unknown) => child.send(m as object),
          on: (name: string, l: Listener) => proc.on(name, l),
          once: (name: string, l: Listener) => proc.once(name, l),
          kill: () => child.kill('SIGKILL'),
        };
      },
    },
  };
});

/**
 * The training worker as the packaged desktop app runs it: the bundled JavaScript (electron-vite's
 * build, wasm binaries beside it), not the TypeScript sources. Run under Node, which loads it the
 * same way Electron's utility process does, on 2 threads, so its replica worker must be found and
 * load beside it.
 */
const outDir = path.join(repoRoot, 'out/main');

beforeAll(() => {
  // Synchronous: the hook's timeout cannot interrupt it, so the build has a limit of its own.
  execFileSync('npx', ['electron-vite', 'build'], { cwd: repoRoot, stdio: 'pipe', timeout: 100_000 });
});

describe('bundled training worker', () => {
  const checkpointDir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-bundled-'));
  afterAll(() => fs.rmSync(checkpointDir, { recursive: true, force: true }));

  it('loads, trains a run on 2 threads and reports it done', async () => {
    expect(fs.existsSync(path.join(outDir, 'replica-worker.js'))).toBe(true);
    const config = buildConfig({
      preset: 'fmnist-cnn',
      overrides: [
        'train.epochs=1',
        'data.dataset=synthetic',
        'data.trainLimit=64',
        'data.testLimit=32',
        'train.batchSize=32',
      ],
    });
    const child = fork(path.join(outDir, 'train-worker.js'), [], {
      env: { ...process.env, GLIF_WASM_DIR: path.join(outDir, 'wasm') },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const messages: FromWorker[] = [];
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.on('message', (m) => messages.push(m as FromWorker));
    child.send({
      type: 'start',
      runId: 'bundled',
      config,
      checkpointDir,
      threads: 2,
    });
    expect(await exit, stderr).toBe(0);
    const started = messages.find((m) => m.type === 'event' && m.event.type === 'started');
    expect(started).toMatchObject({ event: { backend: 'wasm', threads: 2 } });
    const done = messages.find((m) => m.type === 'done');
    expect(done, stderr).toMatchObject({ outcome: { status: 'completed', epochsDone: 1 } });
  });
});

describe('desktop training path: utility process, bundled worker and wasm, Electron transport', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-desktop-'));
  // The packaged app has no node_modules: run a copy of the bundle from a folder outside the repo,
  // so every import must resolve inside the bundle and the .wasm files come from its wasm/ folder.
  const appDir = path.join(tmp, 'app');
  let store: RunStore;
  let manager: RunManager;

  beforeAll(async () => {
    fs.cpSync(outDir, appDir, { recursive: true });
    const { utilityWorkerLauncher } = await import('../../src-main/app/utility-worker');
    store = RunStore.open(path.join(tmp, 'runs.sqlite'));
    manager = new RunManager({
      store,
      dataDir: tmp,
      launch: utilityWorkerLauncher(path.join(appDir, 'train-worker.js'), path.join(appDir, 'wasm')),
      threads: 1,
    });
  });

  afterAll(async () => {
    await manager?.stopRuns('test over');
    store?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const synthetic = (extra: string[]) =>
    buildConfig({
      preset: 'synthetic-mlp',
      overrides: [
        'train.epochs=1',
        'data.trainLimit=64',
        'data.testLimit=32',
        'model.mlpHidden=16',
        ...extra,
      ],
    });

  it('trains a run to completion and records it in the SQLite store', async () => {
    const run = manager.createRun(synthetic([]), { name: 'desktop' });
    const statuses: string[] = [];
    const backends: string[] = [];
    manager.on((e) => {
      if (e.runId !== run.id) return;
      if (e.kind === 'status') statuses.push(e.status);
      if (e.kind === 'backend') backends.push(e.report.active);
    });
    const record = await manager.start(run.id);
    expect(record.error).toBeNull();
    expect(record).toMatchObject({ status: 'completed', backend: 'wasm', threads: 1 });
    expect(statuses).toEqual(['running', 'completed']);
    expect(backends).toEqual(['wasm']);
    expect(electron.forks).toHaveLength(1);
    expect(electron.forks[0].entry).toBe(path.join(appDir, 'train-worker.js'));
    expect(electron.forks[0].options).toMatchObject({
      serviceName: 'GLIF training',
      env: { GLIF_WASM_DIR: path.join(appDir, 'wasm') },
    });
    // What the worker reported over postMessage reached the store: steps, the epoch, a checkpoint.
    const stored = store.getRun(run.id)!;
    expect(stored.finals.finalTestAccuracy).toBeGreaterThanOrEqual(0);
    expect(store.getMetricNames(run.id)).toEqual(
      expect.arrayContaining(['train/loss', 'epoch/test_accuracy']),
    );
    const checkpoints = store.getCheckpoints(run.id);
    expect(checkpoints).toHaveLength(1);
    expect(fs.existsSync(checkpoints[0].path)).toBe(true);
  });

  it('cancels a running run through postMessage', async () => {
    const run = manager.createRun(synthetic(['train.epochs=50', 'data.trainLimit=512']), {
      name: 'cancel me',
    });
    const off = manager.on((e) => {
      if (e.runId === run.id && e.kind === 'train' && e.event.type === 'step') {
        off();
        manager.cancel(run.id);
      }
    });
    const record = await manager.start(run.id);
    expect(record.status).toBe('cancelled');
    expect(record.error).toBeNull();
    expect(store.getMetrics(run.id, ['train/loss'])[0].points.length).toBeLessThan(50 * 16);
  });

  it('loads its wasm binaries from the bundle’s folder: without them it cannot train on wasm', async () => {
    fs.rmSync(path.join(appDir, 'wasm'), { recursive: true });
    const run = manager.createRun(synthetic([]), { name: 'no wasm' });
    const reports: BackendReport[] = [];
    const off = manager.on((e) => {
      if (e.runId === run.id && e.kind === 'backend') reports.push(e.report);
    });
    const record = await manager.start(run.id);
    off();
    expect(reports).toHaveLength(1);
    expect(reports[0].active).not.toBe('wasm');
    expect(reports[0].candidates.find((c) => c.name === 'wasm')).toMatchObject({ available: false });
    expect(record.backend).toBe(reports[0].active);
  });
});
