import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RunStore,
  RunStoreError,
  diffConfigs,
  exportRun,
  flattenConfig,
  openRunStoreReader,
  seedGroups,
  type RunConfigColumns,
  type RunExport,
} from '../../src-main/runs/store';

let dir: string;
let dbFile: string;
let store: RunStore;

const columns: RunConfigColumns = {
  dataset: 'fashion-mnist',
  model: 'cifarnet',
  variant: 'glif',
  layerwise: false,
  timeSteps: 4,
  epochs: 2,
  batchSize: 32,
  lr: 0.1,
  seed: 1,
};

const baseConfig = {
  model: {
    name: 'cifarnet',
    layers: [
      { type: 'conv', channels: 64 },
      { type: 'conv', channels: 128 },
    ],
  },
  glif: { variant: 'glif', gates: { alpha: 0.6, beta: 0.8, gamma: 0.6 }, layerwise: false },
  optimizer: { lr: 0.1, milestones: [30, 60] },
  timeSteps: 4,
  seed: 1,
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-store-compare-'));
  dbFile = path.join(dir, 'runs.sqlite');
  store = RunStore.open(dbFile);
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('seedGroups', () => {
  const withSeed = (seed: number, lr = 0.1) => ({
    ...baseConfig,
    seed,
    optimizer: { ...baseConfig.optimizer, lr },
  });

  it('groups runs whose configs differ only in a seed key, keeping the given order', () => {
    const groups = seedGroups([
      { runId: 'a', config: withSeed(1) },
      { runId: 'b', config: withSeed(1, 0.05) },
      { runId: 'c', config: withSeed(2) },
      { runId: 'd', config: { ...withSeed(3, 0.05), data: { seed: 9 } } },
      { runId: 'e', config: withSeed(3) },
    ]);
    expect(groups).toEqual([
      { runIds: ['a', 'c', 'e'], seeds: [1, 2, 3] },
      { runIds: ['b', 'd'], seeds: [1, [3, 9]] },
    ]);
  });

  it('counts nested seed paths as seeds and leaves single runs out', () => {
    const nested = (seed: number) => ({ train: { seed, lr: 0.1 }, model: { arch: 'mlp' } });
    expect(
      seedGroups([
        { runId: 'x', config: nested(1) },
        { runId: 'y', config: nested(7) },
      ]),
    ).toEqual([{ runIds: ['x', 'y'], seeds: [1, 7] }]);
    expect(
      seedGroups([
        { runId: 'x', config: nested(1) },
        { runId: 'y', config: { ...nested(7), model: { arch: 'cnn' } } },
      ]),
    ).toEqual([]);
  });
});

describe('flattenConfig / diffConfigs', () => {
  it('flattens objects and arrays of objects to dotted paths, arrays of numbers as one value', () => {
    const flat = flattenConfig(baseConfig);
    expect(flat.get('model.layers.1.channels')).toBe(128);
    expect(flat.get('optimizer.milestones')).toEqual([30, 60]);
    expect(flat.get('glif.gates.beta')).toBe(0.8);
    expect(flat.has('glif.gates')).toBe(false);
    expect(flattenConfig({ empty: {}, none: [] })).toEqual(
      new Map([
        ['empty', {}],
        ['none', []],
      ]),
    );
  });

  it('lists only differing paths, and paths some configs lack', () => {
    const diff = diffConfigs([
      { runId: 'a', config: { lr: 0.1, same: { x: [1, 2] }, only: 'a' } },
      { runId: 'b', config: { lr: 0.01, same: { x: [1, 2] } } },
      { runId: 'c', config: { lr: 0.1, same: { x: [1, 2] } } },
    ]);
    expect(diff).toEqual([
      { path: 'lr', values: { a: 0.1, b: 0.01, c: 0.1 } },
      { path: 'only', values: { a: 'a' } },
    ]);
    expect(
      diffConfigs([
        { runId: 'a', config: { k: { y: 1, x: 2 } } },
        { runId: 'b', config: { k: { x: 2, y: 1 } } },
      ]),
    ).toEqual([]);
  });
});

describe('compareRuns', () => {
  it('shows the differing config keys with each run value and the finals side by side', () => {
    const a = store.createRun({ name: 'a', config: baseConfig, columns });
    const bConfig = structuredClone(baseConfig);
    bConfig.optimizer.lr = 0.05;
    bConfig.model.layers[1].channels = 256;
    bConfig.glif.layerwise = true;
    const b = store.createRun({
      name: 'b',
      config: bConfig,
      columns: { ...columns, lr: 0.05, layerwise: true },
    });
    // Per-epoch test accuracy: a peaks at epoch 2 and ends lower; b's best is a tie won by epoch 1.
    const perEpoch = new Map([
      [a.id, [0.85, 0.93, 0.9]],
      [b.id, [0.92, 0.92, 0.92]],
    ]);
    for (const [run, acc] of [
      [a, 0.9],
      [b, 0.92],
    ] as const) {
      store.markRunning(run.id, { pid: 1, backend: 'wasm' });
      store.appendMetrics(
        perEpoch.get(run.id)!.map((value, epoch) => ({
          runId: run.id,
          step: (epoch + 1) * 10,
          epoch,
          name: 'epoch/test_accuracy',
          value,
        })),
      );
      store.finishRun(run.id, {
        status: 'completed',
        finals: { finalTestAccuracy: acc, energySops: 1e6 },
        durationMs: 5000,
      });
    }

    const comparison = store.compareRuns([b.id, a.id]);
    expect(comparison.runs.map((r) => r.name)).toEqual(['b', 'a']);
    expect(comparison.runs[0]).not.toHaveProperty('config');
    expect(comparison.configDiff).toEqual([
      { path: 'glif.layerwise', values: { [a.id]: false, [b.id]: true } },
      { path: 'model.layers.1.channels', values: { [a.id]: 128, [b.id]: 256 } },
      { path: 'optimizer.lr', values: { [a.id]: 0.1, [b.id]: 0.05 } },
    ]);
    expect(comparison.finals).toEqual([
      {
        runId: b.id,
        durationMs: 5000,
        finalTestAccuracy: 0.92,
        finalTestLoss: null,
        finalTrainAccuracy: null,
        finalTrainLoss: null,
        energySops: 1e6,
        energyMacs: null,
        energyMicrojoules: null,
        bestTestAccuracy: 0.92,
        bestEpoch: 1,
      },
      {
        runId: a.id,
        durationMs: 5000,
        finalTestAccuracy: 0.9,
        finalTestLoss: null,
        finalTrainAccuracy: null,
        finalTrainLoss: null,
        energySops: 1e6,
        energyMacs: null,
        energyMicrojoules: null,
        bestTestAccuracy: 0.93,
        bestEpoch: 2,
      },
    ]);
    expect(() => store.compareRuns([a.id, 'r000000000missing'])).toThrow(RunStoreError);
  });
});

describe('exportRun', () => {
  function seededRun(): string {
    const run = store.createRun({ name: 'export me', config: baseConfig, columns, tags: ['paper'] });
    store.markRunning(run.id, { pid: 1, backend: 'wasm' });
    store.appendMetrics([
      { runId: run.id, step: 0, epoch: 0, name: 'train/loss', value: 2.5 },
      { runId: run.id, step: 1, epoch: 0, name: 'train/loss', value: Number.NaN },
      { runId: run.id, step: 1, epoch: 0, name: 'test,acc "top1"', value: 0.5 },
    ]);
    store.putDistributions([
      {
        runId: run.id,
        epoch: 0,
        layer: 'conv1',
        quantity: 'firing_rate',
        stats: {
          count: 10,
          mean: 0.1,
          std: 0.05,
          min: 0,
          max: 0.3,
          p05: 0,
          p25: 0.05,
          p50: 0.1,
          p75: 0.15,
          p95: 0.25,
        },
        histogram: { lo: 0, hi: 0.3, counts: [5, 3, 2] },
      },
    ]);
    store.addCheckpoint({ runId: run.id, epoch: 0, step: 1, path: '/c/0', sha256: 'c'.repeat(64), bytes: 9 });
    store.finishRun(run.id, { status: 'completed', finals: { finalTestAccuracy: 0.5 } });
    return run.id;
  }

  it('CSV: one row per metric point and distribution statistic, quoted where needed', () => {
    const id = seededRun();
    const reader = openRunStoreReader(dbFile);
    try {
      // No record times and no epoch-end metrics here: step, time and elapsed_s of a distribution stay empty.
      const stat = (name: string, value: number) =>
        `${id},export me,distribution,firing_rate,conv1,${name},0,,,,${value}`;
      expect(exportRun(reader, id, 'csv')).toBe(
        [
          'run_id,run_name,kind,name,layer,statistic,epoch,step,time,elapsed_s,value',
          `${id},export me,metric,"test,acc ""top1""",,,0,1,,,0.5`,
          `${id},export me,metric,train/loss,,,0,0,,,2.5`,
          `${id},export me,metric,train/loss,,,0,1,,,NaN`,
          stat('count', 10),
          stat('mean', 0.1),
          stat('std', 0.05),
          stat('min', 0),
          stat('p05', 0),
          stat('p25', 0.05),
          stat('p50', 0.1),
          stat('p75', 0.15),
          stat('p95', 0.25),
          stat('max', 0.3),
          '',
        ].join('\n'),
      );
    } finally {
      reader.close();
    }
  });

  it('JSON: run, config, full metrics, distributions and checkpoints', () => {
    const id = seededRun();
    const exported = JSON.parse(exportRun(store, id, 'json')) as RunExport;
    expect(exported.format).toBe('glif-workbench-run');
    expect(exported.run).toMatchObject({
      id,
      name: 'export me',
      status: 'completed',
      tags: ['paper'],
      finals: { finalTestAccuracy: 0.5 },
    });
    expect(exported.run).not.toHaveProperty('config');
    expect(exported.config).toEqual(baseConfig);
    expect(exported.metrics).toEqual([
      { name: 'test,acc "top1"', points: [{ step: 1, epoch: 0, value: 0.5 }] },
      {
        name: 'train/loss',
        points: [
          { step: 0, epoch: 0, value: 2.5 },
          { step: 1, epoch: 0, value: 'NaN' },
        ],
      },
    ]);
    expect(exported.distributions).toHaveLength(1);
    expect(exported.distributions[0].histogram.counts).toEqual([5, 3, 2]);
    expect(exported.checkpoints).toMatchObject([{ epoch: 0, path: '/c/0', bytes: 9 }]);
  });

  it('unknown run -> not_found', () => {
    expect(() => exportRun(store, 'r000000000missing', 'csv')).toThrow(/no run/);
    expect(() => exportRun(store, 'r000000000missing', 'json')).toThrow(/no run/);
  });
});
