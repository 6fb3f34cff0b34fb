import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, requests, type ExportedFile } from '../../src-main/contract';
import {
  exportRun,
  openRunStoreReader,
  RunStore,
  SERIES_CSV_COLUMNS,
  type DistributionStats,
} from '../../src-main/runs/store';
import { createRequestHandlers } from '../../src-main/service/request-handlers';
import { Workbench } from '../../src-main/service/workbench';
import { syntheticRunInput } from '../helpers/run-input';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);
let dir: string;
let dbFile: string;
let store: RunStore;
let clock: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-csv-'));
  dbFile = path.join(dir, 'runs.sqlite');
  clock = T0;
  store = RunStore.open(dbFile, { now: () => clock });
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const stats = (mean: number): DistributionStats => ({
  count: 8,
  mean,
  std: 0.1,
  min: mean - 0.3,
  max: mean + 0.3,
  p05: mean - 0.25,
  p25: mean - 0.1,
  p50: mean,
  p75: mean + 0.1,
  p95: mean + 0.25,
});

/** A run started at T0 with step and epoch metrics recorded 1.5 s and 4 s later, and two distributions. */
function seededRun(name: string): string {
  const run = store.createRun(syntheticRunInput({ name }));
  store.markRunning(run.id, { pid: 1, backend: 'wasm' });
  store.appendMetrics([
    { runId: run.id, step: 0, epoch: 0, name: 'train/loss', value: 2.5, recordedAt: T0 + 1500 },
    { runId: run.id, step: 1, epoch: 0, name: 'train/loss', value: Number.NaN, recordedAt: T0 + 2000 },
    { runId: run.id, step: 1, epoch: 0, name: 'epoch/test_accuracy', value: 0.5, recordedAt: T0 + 4000 },
    { runId: run.id, step: 1, epoch: 0, name: 'epoch/num_tensors', value: 123, recordedAt: T0 + 4000 },
    // A point stored before record times were kept.
    { runId: run.id, step: 1, epoch: 0, name: 'lr', value: 0.1 },
  ]);
  store.putDistributions(
    (['alpha', 'v_th'] as const).map((quantity) => ({
      runId: run.id,
      epoch: 0,
      layer: 'fc1',
      quantity,
      stats: stats(quantity === 'alpha' ? 0.5 : 1),
      histogram: { lo: 0, hi: 1, counts: [4, 4] },
    })),
  );
  store.finishRun(run.id, { status: 'completed', finals: { finalTestAccuracy: 0.5, finalTestLoss: 1.25 } });
  return run.id;
}

function parse(csv: string): Array<Record<string, string>> {
  const [header, ...rows] = csv.trimEnd().split('\n');
  const names = header!.split(',');
  return rows.map((row) => {
    const cells = row.split(',');
    expect(cells).toHaveLength(names.length);
    return Object.fromEntries(names.map((n, i) => [n, cells[i]!]));
  });
}

describe('run CSV', () => {
  it('has one documented header and a wall time on every row recorded with one', () => {
    const id = seededRun('baseline');
    const csv = exportRun(store, id, 'csv');
    expect(csv.split('\n')[0]).toBe(
      'run_id,run_name,kind,name,layer,statistic,epoch,step,time,elapsed_s,value',
    );
    expect(csv.split('\n')[0]).toBe(SERIES_CSV_COLUMNS.join(','));
    const rows = parse(csv);
    const loss = rows.filter((r) => r.name === 'train/loss');
    expect(loss).toEqual([
      {
        run_id: id,
        run_name: 'baseline',
        kind: 'metric',
        name: 'train/loss',
        layer: '',
        statistic: '',
        epoch: '0',
        step: '0',
        time: '2026-01-02T03:04:06.500Z',
        elapsed_s: '1.5',
        value: '2.5',
      },
      expect.objectContaining({ step: '1', elapsed_s: '2', value: 'NaN' }),
    ]);
    expect(rows.find((r) => r.name === 'lr')).toMatchObject({ time: '', elapsed_s: '', value: '0.1' });
  });

  it('leaves out internal series', () => {
    const rows = parse(exportRun(store, seededRun('baseline'), 'csv'));
    expect(rows.map((r) => r.name)).not.toContain('epoch/num_tensors');
    expect(rows.filter((r) => r.kind === 'metric').map((r) => r.name)).toEqual([
      'epoch/test_accuracy',
      'lr',
      'train/loss',
      'train/loss',
    ]);
    // The JSON export is the store's full dump: it keeps them.
    expect(exportRun(store, rows[0]!.run_id!, 'json')).toContain('epoch/num_tensors');
  });

  it('holds every distribution statistic per epoch, layer and quantity, at its epoch end', () => {
    const rows = parse(exportRun(store, seededRun('baseline'), 'csv'));
    const alpha = rows.filter((r) => r.kind === 'distribution' && r.name === 'alpha');
    expect(alpha.map((r) => r.statistic)).toEqual([
      'count',
      'mean',
      'std',
      'min',
      'p05',
      'p25',
      'p50',
      'p75',
      'p95',
      'max',
    ]);
    expect(alpha.find((r) => r.statistic === 'p50')).toMatchObject({
      layer: 'fc1',
      epoch: '0',
      step: '1',
      elapsed_s: '4',
      value: '0.5',
    });
    const vth = rows.filter((r) => r.kind === 'distribution' && r.name === 'v_th');
    expect(vth.find((r) => r.statistic === 'mean')?.value).toBe('1');
    expect(vth.find((r) => r.statistic === 'count')?.value).toBe('8');
  });

  it('quotes run names that hold commas or quotes', () => {
    const id = seededRun('lr 0.1, "warm"');
    const csv = exportRun(store, id, 'csv');
    expect(csv.split('\n')[1]).toBe(
      `${id},"lr 0.1, ""warm""",metric,epoch/test_accuracy,,,0,1,2026-01-02T03:04:09.000Z,4,0.5`,
    );
  });

  it('reads the same through a read-only reader', () => {
    const id = seededRun('baseline');
    const reader = openRunStoreReader(dbFile);
    try {
      expect(exportRun(reader, id, 'csv')).toBe(exportRun(store, id, 'csv'));
    } finally {
      reader.close();
    }
  });
});

describe('comparison and Runs list CSV through the requests', () => {
  let workbench: Workbench | null = null;
  afterEach(async () => {
    await workbench?.close('test finished');
    workbench = null;
  });

  function dispatcher() {
    workbench = new Workbench(store, dir, () => {});
    const host = { appName: 'GLIF Workbench', appVersion: '0', host: 'electron' } as const;
    return createDispatcher(requests, createRequestHandlers(host, workbench));
  }

  it('runs.exportComparison: the compared runs in a tidy table with run id and name', async () => {
    const a = seededRun('GLIF baseline');
    const b = seededRun('exp leak');
    const result = await dispatcher()('runs.exportComparison', { runIds: [b, a] });
    expect(result.ok).toBe(true);
    const file = (result.ok ? result.data : null) as ExportedFile;
    expect(file).toMatchObject({ filename: 'compare-2-runs.csv', mimeType: 'text/csv' });
    const rows = parse(file.content);
    expect([...new Set(rows.map((r) => `${r.run_id} ${r.run_name}`))]).toEqual([
      `${b} exp leak`,
      `${a} GLIF baseline`,
    ]);
    expect(rows.filter((r) => r.name === 'epoch/test_accuracy')).toHaveLength(2);
  });

  it('runs.exportComparison validates its params and names a missing run', async () => {
    const dispatch = dispatcher();
    const a = seededRun('only');
    expect(await dispatch('runs.exportComparison', { runIds: [a] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_params' },
    });
    expect(await dispatch('runs.exportComparison', { runIds: [a, 'r000000000missing'] })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('runs.exportList: one row per run shown, in its order, with hyperparameters, final metrics and config', async () => {
    const a = seededRun('GLIF baseline');
    clock += 1000;
    const queued = store.createRun({
      ...syntheticRunInput({
        name: 'queued one',
        seed: 7,
        config: { data: { augment: true, path: null }, train: { lr: 0.05, milestones: [3] } },
      }),
      requestedBackend: 'cpu',
    });
    const dispatch = dispatcher();
    const all = await dispatch('runs.exportList', { runIds: [queued.id, a] });
    expect(all.ok).toBe(true);
    const file = (all.ok ? all.data : null) as ExportedFile;
    expect(file.filename).toBe('runs.csv');
    const rows = parse(file.content);
    expect(Object.keys(rows[0]!)).toEqual([
      'id',
      'name',
      'status',
      'preset',
      'dataset',
      'model',
      'variant',
      'layerwise',
      'time_steps',
      'epochs',
      'batch_size',
      'lr',
      'seed',
      'backend',
      'requested_backend',
      'threads',
      'neuron_impl',
      'adapter',
      'epochs_done',
      'final_test_accuracy',
      'best_test_accuracy',
      'best_epoch',
      'final_test_loss',
      'final_train_accuracy',
      'final_train_loss',
      'energy_sops',
      'energy_macs',
      'energy_uj',
      'duration_s',
      'created_at',
      'started_at',
      'finished_at',
      'parent_run_id',
      'tags',
      // Every config path of the rows, sorted; a list is one cell.
      'config.data.augment',
      'config.data.path',
      'config.epochs',
      'config.train.lr',
      'config.train.milestones',
    ]);
    expect(rows.map((r) => r.id)).toEqual([queued.id, a]);
    expect(rows[0]).toMatchObject({
      'config.data.augment': 'true',
      'config.data.path': '',
      'config.epochs': '',
      'config.train.lr': '0.05',
      'config.train.milestones': '[3]',
    });
    expect(rows[1]).toMatchObject({ 'config.epochs': '3', 'config.train.lr': '' });
    expect(rows[1]).toMatchObject({
      name: 'GLIF baseline',
      status: 'completed',
      dataset: 'synthetic',
      model: 'mlp',
      variant: 'glif',
      layerwise: 'false',
      time_steps: '4',
      lr: '0.1',
      seed: '0',
      backend: 'wasm',
      final_test_accuracy: '0.5',
      best_test_accuracy: '0.5',
      best_epoch: '1',
      final_test_loss: '1.25',
      created_at: '2026-01-02T03:04:05.000Z',
    });
    expect(rows[0]).toMatchObject({ status: 'queued', seed: '7', final_test_accuracy: '', started_at: '' });
    // The backend a run asked for, beside the one it ran on; empty where it left the choice to its host.
    expect(rows[0]).toMatchObject({ backend: '', requested_backend: 'cpu' });
    expect(rows[1]).toMatchObject({ backend: 'wasm', requested_backend: '' });
    expect(rows[1]!.adapter).toBe('');
    // A webgpu run names the adapter it computed on.
    store.setBackend(a, 'webgpu', {
      vendor: 'mesa',
      architecture: 'software',
      device: 'llvmpipe',
      description: 'llvmpipe: Mesa 25.0.7',
      software: true,
    });
    const gpu = await dispatch('runs.exportList', { runIds: [a] });
    // Quoted: the description holds a comma (parse() above splits plainly, so read the line).
    const gpuLine = ((gpu.ok ? gpu.data : null) as ExportedFile).content.split('\n')[1]!;
    expect(gpuLine).toContain(',webgpu,');
    expect(gpuLine).toContain(',"llvmpipe: Mesa 25.0.7 (mesa, software)",');
    store.setBackend(a, 'wasm');
    const one = await dispatch('runs.exportList', { runIds: [a] });
    expect(one.ok).toBe(true);
    const single = (one.ok ? one.data : null) as ExportedFile;
    expect(parse(single.content).map((r) => r.id)).toEqual([a]);
    expect(await dispatch('runs.exportList', { runIds: [] })).toMatchObject({
      ok: false,
      error: { code: 'invalid_params' },
    });
    expect(await dispatch('runs.exportList', { runIds: [a, 'r000000000missing'] })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await dispatch('runs.exportList', { runIds: ['../etc'] })).toMatchObject({
      error: { code: 'invalid_params' },
    });
  });
});
