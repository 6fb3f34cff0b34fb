/**
 * A run's own backend choice (`runs.create`'s `backend`): checked at the contract's edge, stored
 * with the run, and what its worker is started with, first time, resumed and rerun, over the
 * host's default. Workers are stand-ins that note their start message and fail at once, as a real
 * worker does when the backend it was asked for is not there.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, requests } from '../../src-main/contract';
import type { BackendName } from '../../src-main/contract/backends';
import { createRequestHandlers } from '../../src-main/service/request-handlers';
import { Workbench } from '../../src-main/service/workbench';
import { RunStore } from '../../src-main/runs/store/run-store';
import type { RunRecord } from '../../src-main/runs/store/types';
import type { WorkerHandle, WorkerLauncher } from '../../src-main/runs/worker/launch';
import type { FromWorker } from '../../src-main/runs/worker/protocol';
import { syntheticRunInput } from '../helpers/run-input';

const FAILURE = "TensorFlow.js backend 'tensorflow-gpu' is not available: package not installed";

/** Workers that note the backend they were started with and end the run as failed. */
function failingWorkers(): { launch: WorkerLauncher; backends: (BackendName | undefined)[] } {
  const backends: (BackendName | undefined)[] = [];
  const launch: WorkerLauncher = () => {
    let onMessage: (m: FromWorker) => void = () => {};
    const onExit: ((code: number | null, signal: string | null) => void)[] = [];
    const exit = () => setImmediate(() => onExit.forEach((h) => h(0, null)));
    const handle: WorkerHandle = {
      send(m) {
        if (m.type !== 'start') return;
        backends.push(m.backend);
        setImmediate(() => {
          onMessage({
            type: 'done',
            outcome: { status: 'failed', error: FAILURE, epochsDone: 0, seconds: 0 },
          });
          exit();
        });
      },
      onMessage: (h) => (onMessage = h),
      onExit: (h) => onExit.push(h),
      kill: exit,
    };
    return handle;
  };
  return { launch, backends };
}

let dir: string;
let wb: Workbench;
let workers: ReturnType<typeof failingWorkers>;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-requested-backend-'));
  workers = failingWorkers();
  // The host's default, as `glif serve --backend wasm` sets it.
  wb = new Workbench(RunStore.open(path.join(dir, 'runs.sqlite')), dir, () => {}, {
    launch: workers.launch,
    backend: 'wasm',
  });
});

afterEach(async () => {
  await wb.close('test over');
  fs.rmSync(dir, { recursive: true, force: true });
});

const values = { 'train.epochs': 1 };

async function ended(runId: string): Promise<RunRecord> {
  for (let i = 0; i < 1000; i++) {
    const run = wb.store.getRun(runId)!;
    if (run.status === 'failed' && wb.manager.activeRunId === undefined) return run;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`run ${runId} did not end`);
}

describe('runs.create backend', () => {
  it('refuses a backend name that does not exist, naming the field and the choices', async () => {
    const dispatch = createDispatcher(
      requests,
      createRequestHandlers({ appName: 'x', appVersion: '0', host: 'browser' }, wb),
    );
    const bad = await dispatch('runs.create', {
      preset: 'synthetic-mlp',
      values,
      start: false,
      backend: 'gpu',
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
    expect(!bad.ok && bad.error.message).toMatch(/backend/);
    expect(!bad.ok && bad.error.message).toMatch(/tensorflow-gpu/);
    expect(wb.store.countRuns()).toBe(0);

    const good = await dispatch('runs.create', {
      preset: 'synthetic-mlp',
      values,
      start: false,
      backend: 'cpu',
    });
    expect(good).toMatchObject({ ok: true, data: { requestedBackend: 'cpu', status: 'queued' } });
    const none = await dispatch('runs.create', { preset: 'synthetic-mlp', values, start: false });
    expect(none).toMatchObject({ ok: true, data: { requestedBackend: null } });
  });

  it("starts, resumes and reruns a run on its own backend; others on the host's default", async () => {
    const asked = wb.createRun({ preset: 'synthetic-mlp', values, start: true, backend: 'tensorflow-gpu' });
    // An unavailable backend fails the run with the backend's reason, not with a fallback.
    expect(await ended(asked.id)).toMatchObject({ requestedBackend: 'tensorflow-gpu', error: FAILURE });
    const plain = wb.createRun({ preset: 'synthetic-mlp', values, start: true });
    await ended(plain.id);
    wb.resumeRun(asked.id);
    await ended(asked.id);
    const rerun = wb.rerun(asked.id);
    expect(rerun.requestedBackend).toBe('tensorflow-gpu');
    await ended(rerun.id);
    expect(workers.backends).toEqual(['tensorflow-gpu', 'wasm', 'tensorflow-gpu', 'tensorflow-gpu']);
  });

  it('fails a run whose stored backend this version does not know, saying so', async () => {
    // As a newer version (or a hand-edited database) may have stored it.
    const { config } = wb.createRun({ preset: 'synthetic-mlp', values, start: false });
    const run = wb.store.createRun({ ...syntheticRunInput(), config, requestedBackend: 'quantum' });
    const final = await wb.manager.start(run.id);
    expect(final.status).toBe('failed');
    expect(final.error).toBe(
      `run ${run.id} asks for backend 'quantum', which this version of GLIF Workbench does not know`,
    );
    expect(workers.backends).toEqual([]);
  });
});
