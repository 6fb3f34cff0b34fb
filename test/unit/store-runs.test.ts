import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openReadonlyDatabase } from '../../src-main/runs/store/connection';
import {
  RunStore,
  RunStoreError,
  isProcessAlive,
  isRunId,
  openRunStoreReader,
  type NewRunInput,
  type RunConfigColumns,
  type RunStoreReader,
} from '../../src-main/runs/store';

let dir: string;
let dbFile: string;
let clock: number;
let store: RunStore;
const openReaders: RunStoreReader[] = [];

function columns(overrides: Partial<RunConfigColumns> = {}): RunConfigColumns {
  return {
    dataset: 'fashion-mnist',
    model: 'cifarnet',
    variant: 'glif',
    layerwise: false,
    timeSteps: 4,
    epochs: 10,
    batchSize: 32,
    lr: 0.1,
    seed: 1,
    ...overrides,
  };
}

function newRun(overrides: Partial<NewRunInput> = {}, cols: Partial<RunConfigColumns> = {}): NewRunInput {
  const c = columns(cols);
  return {
    config: { model: c.model, dataset: c.dataset, optimizer: { lr: c.lr } },
    columns: c,
    ...overrides,
  };
}

function reader(): RunStoreReader {
  const r = openRunStoreReader(dbFile);
  openReaders.push(r);
  return r;
}

function expectStoreError(fn: () => unknown, code: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(RunStoreError);
  expect((caught as RunStoreError).code).toBe(code);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-store-runs-'));
  dbFile = path.join(dir, 'runs.sqlite');
  clock = 1_700_000_000_000;
  // Each call advances the clock, so every run gets a distinct creation time.
  store = RunStore.open(dbFile, { now: () => (clock += 1000) });
});

afterEach(() => {
  for (const r of openReaders.splice(0)) r.close();
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('creating and reading runs', () => {
  it('creates a queued run with its config, columns, tags and notes', () => {
    const created = store.createRun(
      newRun({
        name: '  baseline  ',
        preset: 'fmnist-quick',
        tags: ['b', 'a', ' a ', ''],
        notes: 'first try',
      }),
    );
    expect(isRunId(created.id)).toBe(true);
    expect(created).toMatchObject({
      name: 'baseline',
      status: 'queued',
      preset: 'fmnist-quick',
      backend: null,
      createdAt: 1_700_000_001_000,
      startedAt: null,
      finishedAt: null,
      durationMs: null,
      pid: null,
      parentRunId: null,
      notes: 'first try',
      tags: ['a', 'b'],
      columns: columns(),
      config: { model: 'cifarnet', dataset: 'fashion-mnist', optimizer: { lr: 0.1 } },
      finals: {
        finalTestAccuracy: null,
        finalTestLoss: null,
        finalTrainAccuracy: null,
        finalTrainLoss: null,
        energySops: null,
        energyMacs: null,
        energyMicrojoules: null,
      },
    });
    expect(store.getRun(created.id)).toEqual(created);
    expect(store.getRun('r000000000nothere')).toBeNull();
  });

  it('keeps the backend a run asked for, through a start, in lists and for readers', () => {
    const asked = store.createRun(newRun({ requestedBackend: 'cpu' }));
    const left = store.createRun(newRun());
    expect(asked.requestedBackend).toBe('cpu');
    expect(left.requestedBackend).toBeNull();
    // What it ran on is recorded apart: the request stays.
    store.markRunning(asked.id, { pid: process.pid, backend: 'starting' });
    store.setBackend(asked.id, 'cpu');
    expect(store.getRun(asked.id)).toMatchObject({ backend: 'cpu', requestedBackend: 'cpu' });
    expect(store.listRuns({}).map((r) => [r.id, r.requestedBackend])).toEqual(
      expect.arrayContaining([
        [asked.id, 'cpu'],
        [left.id, null],
      ]),
    );
    expect(reader().getRun(asked.id)?.requestedBackend).toBe('cpu');
  });

  it('defaults the name to "<model> on <dataset>" and checks inputs', () => {
    expect(store.createRun(newRun()).name).toBe('cifarnet on fashion-mnist');
    expectStoreError(() => store.createRun(newRun({}, { dataset: '' })), 'invalid_input');
    expectStoreError(() => store.createRun(newRun({}, { epochs: 2.5 })), 'invalid_input');
    expectStoreError(() => store.createRun(newRun({ config: undefined })), 'invalid_input');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expectStoreError(() => store.createRun(newRun({ config: cyclic })), 'invalid_input');
    expectStoreError(() => store.createRun(newRun({ parentRunId: 'r000000000missing' })), 'not_found');
    expect(store.countRuns()).toBe(1);
  });

  it('ids sort by creation time', () => {
    const ids = [store.createRun(newRun()).id, store.createRun(newRun()).id, store.createRun(newRun()).id];
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('listing runs', () => {
  let ids: Record<string, string>;

  beforeEach(() => {
    ids = {
      a: store.createRun(newRun({ name: 'alpha sweep', tags: ['sweep'] }, { lr: 0.1 })).id,
      b: store.createRun(
        newRun(
          { name: 'beta', tags: ['sweep', 'best'], notes: 'layer-wise looks better' },
          { lr: 0.01, layerwise: true, variant: 'layerwise' },
        ),
      ).id,
      c: store.createRun(
        newRun(
          { name: 'Gamma_100%', preset: 'cifar10' },
          { dataset: 'cifar10', model: 'resnet19', lr: 0.05 },
        ),
      ).id,
      d: store.createRun(
        newRun({ name: 'delta' }, { dataset: 'cifar10', model: 'resnet19', lr: null, variant: '101' }),
      ).id,
    };
    store.markRunning(ids.a, { pid: 11, backend: 'wasm' });
    store.finishRun(ids.a, { status: 'completed', finals: { finalTestAccuracy: 0.88 } });
    store.markRunning(ids.b, { pid: 12, backend: 'cpu' });
    store.finishRun(ids.b, { status: 'completed', finals: { finalTestAccuracy: 0.91 } });
    store.markRunning(ids.c, { pid: 13, backend: 'wasm' });
    store.finishRun(ids.c, { status: 'failed', error: 'NaN loss' });
  });

  const names = (runs: Array<{ name: string }>): string[] => runs.map((r) => r.name);

  it('lists newest first by default, with tags', () => {
    const runs = store.listRuns();
    expect(names(runs)).toEqual(['delta', 'Gamma_100%', 'beta', 'alpha sweep']);
    expect(runs[2].tags).toEqual(['best', 'sweep']);
    expect(store.countRuns()).toBe(4);
  });

  it('filters by status, columns, tags and creation time', () => {
    expect(names(store.listRuns({ status: 'completed' }))).toEqual(['beta', 'alpha sweep']);
    expect(names(store.listRuns({ status: ['failed', 'queued'] }))).toEqual(['delta', 'Gamma_100%']);
    expect(store.listRuns({ status: [] })).toEqual([]);
    expect(names(store.listRuns({ dataset: 'cifar10', model: 'resnet19' }))).toEqual(['delta', 'Gamma_100%']);
    expect(names(store.listRuns({ layerwise: true }))).toEqual(['beta']);
    expect(names(store.listRuns({ variant: '101' }))).toEqual(['delta']);
    expect(names(store.listRuns({ preset: 'cifar10' }))).toEqual(['Gamma_100%']);
    expect(names(store.listRuns({ backend: 'wasm' }))).toEqual(['Gamma_100%', 'alpha sweep']);
    expect(names(store.listRuns({ tags: ['sweep'] }))).toEqual(['beta', 'alpha sweep']);
    expect(names(store.listRuns({ tags: ['sweep', 'best'] }))).toEqual(['beta']);
    const created = store.getRun(ids.b)!.createdAt;
    expect(names(store.listRuns({ createdAfter: created, createdBefore: created + 1 }))).toEqual(['beta']);
    expect(store.countRuns({ dataset: 'cifar10' })).toBe(2);
    expectStoreError(() => store.listRuns({ status: 'paused' as never }), 'invalid_input');
  });

  it('searches names, notes and tags case-insensitively, LIKE wildcards taken literally', () => {
    expect(names(store.listRuns({ search: 'SWEEP' }))).toEqual(['beta', 'alpha sweep']);
    expect(names(store.listRuns({ search: 'layer-wise' }))).toEqual(['beta']);
    expect(names(store.listRuns({ search: '_100%' }))).toEqual(['Gamma_100%']);
    expect(store.listRuns({ search: 'a%' })).toEqual([]); // as a wildcard it would match every name with an a
    expect(names(store.listRuns({ search: ids.d }))).toEqual(['delta']);
    expect(names(store.listRuns({ search: '   ' }))).toHaveLength(4);
  });

  it('sorts by a column with NULLs last, and pages', () => {
    expect(names(store.listRuns({ sort: { by: 'lr' } }))).toEqual([
      'beta',
      'Gamma_100%',
      'alpha sweep',
      'delta',
    ]);
    expect(names(store.listRuns({ sort: { by: 'lr', direction: 'desc' } }))).toEqual([
      'alpha sweep',
      'Gamma_100%',
      'beta',
      'delta',
    ]);
    expect(
      names(store.listRuns({ sort: { by: 'finalTestAccuracy', direction: 'desc' } })).slice(0, 2),
    ).toEqual(['beta', 'alpha sweep']);
    expect(names(store.listRuns({ sort: { by: 'name' } }))).toEqual([
      'alpha sweep',
      'beta',
      'delta',
      'Gamma_100%',
    ]);
    expect(names(store.listRuns({ sort: { by: 'createdAt' }, limit: 2, offset: 1 }))).toEqual([
      'beta',
      'Gamma_100%',
    ]);
    expectStoreError(() => store.listRuns({ sort: { by: 'config_json' as never } }), 'invalid_input');
    expectStoreError(() => store.listRuns({ limit: 1.5 }), 'invalid_input');
  });

  it('keeps creation order between runs created in the same millisecond', () => {
    const sameMs = RunStore.open(path.join(dir, 'same-ms.sqlite'), { now: () => 1_700_000_000_000 });
    try {
      const created = Array.from({ length: 30 }, (_, i) => sameMs.createRun(newRun({ name: `run ${i}` })).id);
      expect(sameMs.listRuns({ sort: { by: 'createdAt', direction: 'asc' } }).map((r) => r.id)).toEqual(
        created,
      );
      expect(sameMs.listRuns({}).map((r) => r.id)).toEqual([...created].reverse());
      expect(sameMs.listRuns({ sort: { by: 'lr' } }).map((r) => r.id)).toEqual(created);
    } finally {
      sameMs.close();
    }
  });

  it('lists tags with their run counts', () => {
    expect(store.listTags()).toEqual([
      { tag: 'best', runs: 1 },
      { tag: 'sweep', runs: 2 },
    ]);
  });
});

describe('run lifecycle', () => {
  it('queued -> running -> completed with timings and finals', () => {
    const run = store.createRun(newRun());
    const running = store.markRunning(run.id, { pid: 4242, backend: 'wasm' });
    expect(running).toMatchObject({
      status: 'running',
      pid: 4242,
      backend: 'wasm',
      startedAt: run.createdAt + 1000,
    });

    const done = store.finishRun(run.id, {
      status: 'completed',
      finals: {
        finalTestAccuracy: 0.9,
        finalTestLoss: 0.3,
        finalTrainAccuracy: 0.95,
        finalTrainLoss: 0.2,
        energySops: 1.5e6,
        energyMacs: 2e5,
        energyMicrojoules: 2.27,
      },
    });
    expect(done.status).toBe('completed');
    expect(done.finishedAt).toBe(running.startedAt! + 1000);
    expect(done.durationMs).toBe(1000);
    expect(done.error).toBeNull();
    expect(done.finals).toEqual({
      finalTestAccuracy: 0.9,
      finalTestLoss: 0.3,
      finalTrainAccuracy: 0.95,
      finalTrainLoss: 0.2,
      energySops: 1.5e6,
      energyMacs: 2e5,
      energyMicrojoules: 2.27,
    });
  });

  it('keeps a caller-measured duration (pauses excluded) and records errors', () => {
    const run = store.createRun(newRun());
    store.markRunning(run.id, { pid: 1, backend: 'cpu' });
    const failed = store.finishRun(run.id, { status: 'failed', error: 'out of memory', durationMs: 123 });
    expect(failed).toMatchObject({ status: 'failed', error: 'out of memory', durationMs: 123 });
  });

  it('a queued run can be cancelled; finished runs stay finished', () => {
    const run = store.createRun(newRun());
    expect(store.finishRun(run.id, { status: 'cancelled' })).toMatchObject({
      status: 'cancelled',
      durationMs: null,
    });
    expectStoreError(() => store.finishRun(run.id, { status: 'completed' }), 'invalid_transition');
    expectStoreError(() => store.markRunning(run.id, { pid: 1, backend: 'cpu' }), 'invalid_transition');
    expectStoreError(() => store.markRunning('r000000000missing', { pid: 1, backend: 'cpu' }), 'not_found');
    expectStoreError(() => store.finishRun(run.id, { status: 'running' as never }), 'invalid_input');
    expect(store.getRun(run.id)!.status).toBe('cancelled');
  });

  it('runs left running by a dead process become interrupted; live ones are left alone', () => {
    const dead = store.createRun(newRun({ name: 'dead' }));
    const alive = store.createRun(newRun({ name: 'alive' }));
    const queued = store.createRun(newRun({ name: 'queued' }));
    const done = store.createRun(newRun({ name: 'done' }));
    store.markRunning(dead.id, { pid: 1001, backend: 'wasm' });
    store.markRunning(alive.id, { pid: 1002, backend: 'wasm' });
    store.markRunning(done.id, { pid: 1001, backend: 'wasm' });
    store.finishRun(done.id, { status: 'completed' });

    const asked: number[] = [];
    const interrupted = store.markStaleRunningAsInterrupted((pid) => {
      asked.push(pid);
      return pid === 1002;
    });
    expect(interrupted).toEqual([dead.id]);
    expect(asked.sort()).toEqual([1001, 1002]);
    const after = store.getRun(dead.id)!;
    expect(after.status).toBe('interrupted');
    expect(after.finishedAt).not.toBeNull();
    expect(after.error).toMatch(/pid 1001/);
    expect(store.getRun(alive.id)!.status).toBe('running');
    expect(store.getRun(queued.id)!.status).toBe('queued');
    expect(store.getRun(done.id)!.status).toBe('completed');
    // Idempotent.
    expect(store.markStaleRunningAsInterrupted(() => false)).toEqual([alive.id]);
    expect(store.markStaleRunningAsInterrupted(() => false)).toEqual([]);
  });

  it('isProcessAlive tells this process from an exited one', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(2 ** 22 + 12345)).toBe(false); // above Linux's pid_max
  });
});

describe('editing and deleting runs', () => {
  it('renames, sets notes and replaces tags', () => {
    const run = store.createRun(newRun({ tags: ['old'] }));
    store.rename(run.id, ' better name ');
    store.setNotes(run.id, 'tau_exp drifts to 0.9');
    expect(store.setTags(run.id, ['z', 'a', 'z', '  '])).toEqual(['a', 'z']);
    expect(store.getRun(run.id)).toMatchObject({
      name: 'better name',
      notes: 'tau_exp drifts to 0.9',
      tags: ['a', 'z'],
    });
    expect(store.getTags(run.id)).toEqual(['a', 'z']);
    expectStoreError(() => store.rename(run.id, '   '), 'invalid_input');
    expectStoreError(() => store.rename('r000000000missing', 'x'), 'not_found');
    expectStoreError(() => store.setNotes('r000000000missing', 'x'), 'not_found');
    expectStoreError(() => store.setTags('r000000000missing', ['x']), 'not_found');
  });

  it('deleting a run removes its metrics, distributions, checkpoints and tags, and no other run data', () => {
    const keep = store.createRun(newRun({ tags: ['t'] }));
    const gone = store.createRun(newRun({ tags: ['t', 'u'] }));
    for (const run of [keep, gone]) {
      store.appendMetrics([{ runId: run.id, step: 0, epoch: 0, name: 'loss', value: 1 }]);
      store.putDistributions([
        {
          runId: run.id,
          epoch: 0,
          layer: 'conv1',
          quantity: 'v_th',
          stats: {
            count: 1,
            mean: 0.5,
            std: 0,
            min: 0.5,
            max: 0.5,
            p05: 0.5,
            p25: 0.5,
            p50: 0.5,
            p75: 0.5,
            p95: 0.5,
          },
          histogram: { lo: 0, hi: 1, counts: [0, 1] },
        },
      ]);
      store.addCheckpoint({
        runId: run.id,
        epoch: 0,
        step: 0,
        path: `/ckpt/${run.id}/0`,
        sha256: 'f'.repeat(64),
        bytes: 1,
      });
    }
    const child = store.createRun(newRun({ parentRunId: gone.id }));

    expect(store.deleteRun(gone.id)).toEqual({ runId: gone.id, checkpointPaths: [`/ckpt/${gone.id}/0`] });
    expect(store.getRun(gone.id)).toBeNull();
    expect(store.getMetrics(gone.id)).toEqual([]);
    expect(store.getDistributions(gone.id)).toEqual([]);
    expect(store.getCheckpoints(gone.id)).toEqual([]);
    expect(store.getTags(gone.id)).toEqual([]);
    expect(store.getRun(child.id)!.parentRunId).toBeNull();

    expect(store.getMetrics(keep.id)[0].points).toHaveLength(1);
    expect(store.getDistributions(keep.id)).toHaveLength(1);
    expect(store.getCheckpoints(keep.id)).toHaveLength(1);
    expect(store.listTags()).toEqual([{ tag: 't', runs: 1 }]);
    expectStoreError(() => store.deleteRun(gone.id), 'not_found');
  });

  it('refuses to delete a running run', () => {
    const run = store.createRun(newRun());
    store.markRunning(run.id, { pid: 5, backend: 'cpu' });
    expectStoreError(() => store.deleteRun(run.id), 'run_active');
    expect(store.getRun(run.id)).not.toBeNull();
  });
});

describe('read-only reader connection', () => {
  it('reads what the writer committed, while the writer stays open', () => {
    const r = reader();
    expect(r.listRuns()).toEqual([]);
    const run = store.createRun(newRun({ tags: ['x'] }));
    expect(r.getRun(run.id)).toEqual(run);
    store.rename(run.id, 'renamed');
    expect(r.listRuns().map((x) => x.name)).toEqual(['renamed']);
  });

  it('cannot write', () => {
    store.createRun(newRun());
    const db = openReadonlyDatabase(dbFile);
    try {
      expect(db.readonly).toBe(true);
      expect(() => db.prepare("UPDATE runs SET name = 'x'").run()).toThrow(/readonly|read-only|query_only/i);
      expect(() => db.exec('CREATE TABLE sneaky (x)')).toThrow();
      expect(() => db.exec('DELETE FROM runs')).toThrow();
    } finally {
      db.close();
    }
    expect(store.countRuns()).toBe(1);
  });

  it('opens after the writer has closed and removed its WAL files', () => {
    const run = store.createRun(newRun());
    store.close();
    const r = reader();
    expect(r.getRun(run.id)?.id).toBe(run.id);
    store = RunStore.open(dbFile);
  });
});
