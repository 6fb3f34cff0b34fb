import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syntheticRunInput } from '../helpers/run-input';
import {
  MetricWriteBuffer,
  RunStore,
  RunStoreError,
  openRunStoreReader,
  type DistributionRecord,
  type MetricBatch,
  type MetricPointInput,
  type RunStoreOptions,
  type RunStoreReader,
} from '../../src-main/runs/store';

let dir: string;
let dbFile: string;
let store: RunStore | null = null;
const readers: RunStoreReader[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-store-metrics-'));
  dbFile = path.join(dir, 'runs.sqlite');
});

afterEach(() => {
  for (const r of readers.splice(0)) r.close();
  store?.close();
  store = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(options: RunStoreOptions = {}): RunStore {
  store = RunStore.open(dbFile, options);
  return store;
}

function reader(): RunStoreReader {
  const r = openRunStoreReader(dbFile);
  readers.push(r);
  return r;
}

function createRun(s: RunStore): string {
  return s.createRun(syntheticRunInput({ epochs: 1 })).id;
}

function points(runId: string, name: string, count: number, from = 0): MetricPointInput[] {
  return Array.from({ length: count }, (_, i) => ({
    runId,
    step: from + i,
    epoch: Math.floor((from + i) / 100),
    name,
    value: (from + i) / 10,
  }));
}

function storedCount(r: RunStoreReader, runId: string, name: string): number {
  return r.getMetrics(runId, [name])[0].totalPoints;
}

function distribution(
  runId: string,
  epoch: number,
  layer: string,
  quantity: DistributionRecord['quantity'],
  mean: number,
): DistributionRecord {
  return {
    runId,
    epoch,
    layer,
    quantity,
    stats: {
      count: 64,
      mean,
      std: 0.1,
      min: mean - 0.3,
      max: mean + 0.3,
      p05: mean - 0.2,
      p25: mean - 0.1,
      p50: mean,
      p75: mean + 0.1,
      p95: mean + 0.2,
    },
    histogram: { lo: mean - 0.3, hi: mean + 0.3, counts: [4, 16, 24, 16, 4] },
  };
}

describe('metric batching', () => {
  it('writes nothing until maxItems are queued, then all of them in one transaction', () => {
    const s = open({ buffer: { maxItems: 10, maxDelayMs: 0 } });
    const runId = createRun(s);
    const r = reader();
    s.appendMetrics(points(runId, 'loss', 9));
    expect(s.pendingWrites).toBe(9);
    expect(storedCount(r, runId, 'loss')).toBe(0);
    s.appendMetrics(points(runId, 'loss', 1, 9));
    expect(s.pendingWrites).toBe(0);
    expect(storedCount(r, runId, 'loss')).toBe(10);
  });

  it('writes after maxDelayMs even when the batch is small', async () => {
    const s = open({ buffer: { maxItems: 1000, maxDelayMs: 30 } });
    const runId = createRun(s);
    const r = reader();
    s.appendMetrics(points(runId, 'acc', 3));
    expect(storedCount(r, runId, 'acc')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(s.pendingWrites).toBe(0);
    expect(storedCount(r, runId, 'acc')).toBe(3);
  });

  it('flushes on finishRun, addCheckpoint and close', () => {
    const s = open({ buffer: { maxItems: 1000, maxDelayMs: 0 } });
    const a = createRun(s);
    const b = createRun(s);
    const r = reader();
    s.markRunning(a, { pid: process.pid, backend: 'cpu' });
    s.appendMetrics(points(a, 'loss', 5));
    s.finishRun(a, { status: 'completed' });
    expect(storedCount(r, a, 'loss')).toBe(5);

    s.appendMetrics(points(b, 'loss', 4));
    s.addCheckpoint({ runId: b, epoch: 0, step: 3, path: '/c/0', sha256: '0'.repeat(64), bytes: 1 });
    expect(storedCount(r, b, 'loss')).toBe(4);

    s.appendMetrics(points(b, 'loss', 2, 4));
    s.close();
    store = null;
    expect(storedCount(r, b, 'loss')).toBe(6);
    expect(() => s.appendMetrics(points(b, 'loss', 1))).toThrow(RunStoreError);
  });

  it("the writer's own reads see its queued points", () => {
    const s = open({ buffer: { maxItems: 1000, maxDelayMs: 0 } });
    const runId = createRun(s);
    s.appendMetrics(points(runId, 'loss', 7));
    expect(s.getMetricNames(runId)).toEqual(['loss']);
    expect(storedCount(s, runId, 'loss')).toBe(7);
  });

  it('drops and reports only the points of a run that cannot take them (deleted run); the rest commit', () => {
    const errors: Array<{ runId: string | null; error: unknown }> = [];
    const s = open({
      buffer: { maxItems: 1000, maxDelayMs: 0 },
      onWriteError: (error, runId) => errors.push({ runId, error }),
    });
    const ok = createRun(s);
    s.appendMetrics([
      ...points(ok, 'loss', 3),
      ...points('r000000000deleted', 'loss', 2),
      ...points(ok, 'acc', 2),
    ]);
    s.putDistributions([
      distribution('r000000000deleted', 0, 'fc1', 'alpha', 0.5),
      distribution(ok, 0, 'fc1', 'alpha', 0.5),
    ]);
    s.flush();
    expect(errors.map((e) => e.runId)).toEqual(['r000000000deleted']);
    expect(String(errors[0].error)).toMatch(/FOREIGN KEY/);
    expect(storedCount(s, ok, 'loss')).toBe(3);
    expect(storedCount(s, ok, 'acc')).toBe(2);
    expect(s.getDistributions(ok)).toHaveLength(1);
    expect(s.pendingWrites).toBe(0);
  });

  it('rejects malformed points when they are queued, not later', () => {
    const s = open();
    const runId = createRun(s);
    const bad = { runId, step: 1.5, epoch: 0, name: 'loss', value: 1 };
    expect(() => s.appendMetrics([bad])).toThrow(RunStoreError);
    expect(() => s.appendMetrics([{ runId, step: 1, epoch: 0, name: '', value: 1 }])).toThrow(RunStoreError);
    expect(s.pendingWrites).toBe(0);
  });

  it('stores NaN (a diverged loss) and infinities', () => {
    const s = open();
    const runId = createRun(s);
    s.appendMetrics([
      { runId, step: 0, epoch: 0, name: 'loss', value: Number.NaN },
      { runId, step: 1, epoch: 0, name: 'loss', value: Number.POSITIVE_INFINITY },
      { runId, step: 2, epoch: 0, name: 'loss', value: 0.5 },
    ]);
    const values = s.getMetrics(runId, ['loss'])[0].points.map((p) => p.value);
    expect(values[0]).toBeNaN();
    expect(values.slice(1)).toEqual([Number.POSITIVE_INFINITY, 0.5]);
  });
});

describe('MetricWriteBuffer on its own', () => {
  it('puts a batch back when the whole write fails, and reports timer failures', async () => {
    let fail = true;
    const written: MetricBatch[] = [];
    const reported: unknown[] = [];
    const buffer = new MetricWriteBuffer(
      (batch) => {
        if (fail) throw new Error('disk full');
        written.push(batch);
      },
      { maxItems: 100, maxDelayMs: 10, onError: (e) => reported.push(e) },
    );
    buffer.addMetrics(points('r1', 'loss', 2));
    expect(() => buffer.flush()).toThrow('disk full');
    expect(buffer.pending).toBe(2);
    buffer.addMetrics(points('r1', 'loss', 1, 2));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(reported).toHaveLength(1);
    expect(buffer.pending).toBe(3);
    fail = false;
    buffer.close();
    expect(written).toHaveLength(1);
    expect(written[0].metrics.map((p) => p.step)).toEqual([0, 1, 2]);
  });
});

describe('reading metrics', () => {
  it('returns named series in step order, optionally within a step range', () => {
    const s = open();
    const runId = createRun(s);
    s.appendMetrics([...points(runId, 'train/loss', 20).reverse(), ...points(runId, 'test/acc', 5)]);
    expect(s.getMetricNames(runId)).toEqual(['test/acc', 'train/loss']);
    const [loss] = s.getMetrics(runId, ['train/loss']);
    expect(loss.points.map((p) => p.step)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(loss.downsampled).toBe(false);
    const ranged = s.getMetrics(runId, ['train/loss'], { fromStep: 5, toStep: 9 })[0];
    expect(ranged.points.map((p) => p.step)).toEqual([5, 6, 7, 8, 9]);
    expect(ranged.totalPoints).toBe(5);
    expect(s.getMetrics(runId).map((m) => m.name)).toEqual(['test/acc', 'train/loss']);
    expect(s.getMetrics(runId, ['nope'])).toEqual([
      { name: 'nope', points: [], totalPoints: 0, downsampled: false },
    ]);
  });

  it('downsamples long series to maxPoints, keeping the ends and a spike', () => {
    const s = open({ buffer: { maxItems: 5000 } });
    const runId = createRun(s);
    const n = 10_000;
    const series = Array.from({ length: n }, (_, i) => ({
      runId,
      step: i,
      epoch: Math.floor(i / 1000),
      name: 'loss',
      value: i === 6543 ? 50 : 2 * Math.exp(-i / 3000),
    }));
    s.appendMetrics(series);
    for (const method of ['lttb', 'stride'] as const) {
      const [loss] = s.getMetrics(runId, ['loss'], { maxPoints: 200, method });
      expect(loss.totalPoints).toBe(n);
      expect(loss.downsampled).toBe(true);
      expect(loss.points.length).toBeLessThanOrEqual(200);
      expect(loss.points.length).toBeGreaterThan(150);
      expect(loss.points[0].step).toBe(0);
      expect(loss.points[loss.points.length - 1].step).toBe(n - 1);
      const steps = loss.points.map((p) => p.step);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      if (method === 'lttb') expect(loss.points.some((p) => p.value === 50)).toBe(true);
    }
    expect(() => s.getMetrics(runId, ['loss'], { maxPoints: 0 })).toThrow(RunStoreError);
  });
});

describe('distributions', () => {
  it('stores per-layer quantities per epoch, filters them, and replaces a re-sent epoch', () => {
    const s = open();
    const runId = createRun(s);
    s.putDistributions([
      distribution(runId, 0, 'conv1', 'tau_exp', 0.5),
      distribution(runId, 0, 'conv1', 'v_th', 0.5),
      distribution(runId, 0, 'conv2', 'tau_exp', 0.5),
      distribution(runId, 1, 'conv1', 'tau_exp', 0.6),
    ]);
    const all = s.getDistributions(runId);
    expect(all.map((d) => `${d.epoch}/${d.layer}/${d.quantity}`)).toEqual([
      '0/conv1/tau_exp',
      '0/conv1/v_th',
      '0/conv2/tau_exp',
      '1/conv1/tau_exp',
    ]);
    expect(all[3]).toEqual(distribution(runId, 1, 'conv1', 'tau_exp', 0.6));

    expect(s.getDistributions(runId, { layer: 'conv1', quantity: 'tau_exp' }).map((d) => d.epoch)).toEqual([
      0, 1,
    ]);
    expect(s.getDistributions(runId, { epoch: 0, quantity: 'tau_exp' }).map((d) => d.layer)).toEqual([
      'conv1',
      'conv2',
    ]);
    expect(s.getDistributions(runId, { quantity: 'firing_rate' })).toEqual([]);

    s.putDistributions([distribution(runId, 1, 'conv1', 'tau_exp', 0.7)]);
    const replaced = s.getDistributions(runId, { epoch: 1 });
    expect(replaced).toHaveLength(1);
    expect(replaced[0].stats.mean).toBe(0.7);
  });

  it("keeps each histogram's own bin edges: data-chosen ones and the old fixed 0-1 grid alike", () => {
    const s = open();
    const runId = createRun(s);
    const chosen = { lo: 0.47, hi: 0.53, counts: [1, 3, 6, 9, 12, 12, 9, 6, 3, 2, 1] };
    const oldGrid = { lo: 0, hi: 1, counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 30, 34, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
    const frozen = { lo: 0.5, hi: 0.5, counts: [64] };
    s.putDistributions([
      { ...distribution(runId, 0, 'conv1', 'alpha', 0.5), histogram: chosen },
      { ...distribution(runId, 0, 'conv1', 'beta', 0.5), histogram: oldGrid },
      { ...distribution(runId, 0, 'conv1', 'gamma', 0.5), histogram: frozen },
    ]);
    const byQuantity = new Map(s.getDistributions(runId).map((d) => [d.quantity, d.histogram]));
    expect(byQuantity.get('alpha')).toEqual(chosen);
    expect(byQuantity.get('beta')).toEqual(oldGrid);
    expect(byQuantity.get('gamma')).toEqual(frozen);
  });

  it('refuses a histogram whose counts have no edges to be read by', () => {
    const s = open();
    const runId = createRun(s);
    const withHistogram = (histogram: unknown) =>
      ({ ...distribution(runId, 0, 'conv1', 'alpha', 0.5), histogram }) as DistributionRecord;
    expect(() => s.putDistributions([withHistogram({ counts: [1, 2] })])).toThrow(RunStoreError);
    expect(() => s.putDistributions([withHistogram({ lo: NaN, hi: 1, counts: [1] })])).toThrow(RunStoreError);
    expect(() => s.putDistributions([withHistogram({ lo: 1, hi: 0, counts: [1] })])).toThrow(RunStoreError);
    expect(s.pendingWrites).toBe(0);
  });
});

describe('checkpoints', () => {
  it('records checkpoints per epoch, returns the latest, and replaces a re-written epoch', () => {
    const s = open({ now: () => 42 });
    const runId = createRun(s);
    expect(s.getLatestCheckpoint(runId)).toBeNull();
    const sha = (c: string) => c.repeat(64);
    s.addCheckpoint({ runId, epoch: 1, step: 200, path: '/c/1', sha256: sha('1'), bytes: 100 });
    s.addCheckpoint({ runId, epoch: 0, step: 100, path: '/c/0', sha256: sha('0'), bytes: 100 });
    expect(s.getCheckpoints(runId).map((c) => c.epoch)).toEqual([0, 1]);
    expect(s.getLatestCheckpoint(runId)).toEqual({
      runId,
      epoch: 1,
      step: 200,
      path: '/c/1',
      sha256: sha('1'),
      bytes: 100,
      createdAt: 42,
    });

    s.addCheckpoint({ runId, epoch: 1, step: 210, path: '/c/1b', sha256: sha('b'), bytes: 120 });
    expect(s.getCheckpoints(runId)).toHaveLength(2);
    expect(s.getLatestCheckpoint(runId)).toMatchObject({ step: 210, path: '/c/1b', bytes: 120 });

    expect(() =>
      s.addCheckpoint({ runId, epoch: 2, step: 1, path: '/c/2', sha256: 'xyz', bytes: 1 }),
    ).toThrow(RunStoreError);
    expect(() =>
      s.addCheckpoint({
        runId: 'r000000000missing',
        epoch: 2,
        step: 1,
        path: '/c/2',
        sha256: sha('2'),
        bytes: 1,
      }),
    ).toThrow(/no run/);
  });
});

describe('stored progress of a run', () => {
  it('counts the epochs whose test metrics are stored and carries the latest test accuracy', () => {
    const s = open();
    const runId = s.createRun(syntheticRunInput({ epochs: 4 })).id;
    expect(s.listRuns()[0].progress).toEqual({
      epochsDone: 0,
      latestTestAccuracy: null,
      bestTestAccuracy: null,
      bestEpoch: null,
    });
    const epoch = (e: number, value: number): MetricPointInput => ({
      runId,
      step: (e + 1) * 10,
      epoch: e,
      name: 'epoch/test_accuracy',
      value,
    });
    s.appendMetrics([...points(runId, 'train/loss', 25), epoch(0, 0.5), epoch(1, 0.625)]);
    s.flush();
    // A reader opened later (the Runs list of a page opened mid-run) sees the same.
    for (const r of [s, reader()]) {
      const expected = { epochsDone: 2, latestTestAccuracy: 0.625, bestTestAccuracy: 0.625, bestEpoch: 2 };
      expect(r.listRuns()[0].progress).toEqual(expected);
      expect(r.getRun(runId)?.progress).toEqual(expected);
    }
  });

  it('never counts more epochs than the run has', () => {
    const s = open();
    const runId = s.createRun(syntheticRunInput({ epochs: 2 })).id;
    s.appendMetrics([
      { runId, step: 1, epoch: 5, name: 'epoch/test_accuracy', value: 0.9 },
      { runId, step: 2, epoch: 6, name: 'epoch/test_accuracy', value: 0.75 },
    ]);
    s.flush();
    expect(s.listRuns()[0].progress).toEqual({
      epochsDone: 2,
      latestTestAccuracy: 0.75,
      bestTestAccuracy: 0.9,
      bestEpoch: 6,
    });
  });

  it('carries the best epoch as the paper reports a run: the first to reach the highest accuracy', () => {
    const s = open();
    const runId = s.createRun(syntheticRunInput({ epochs: 6 })).id;
    const at = (e: number, value: number): MetricPointInput => ({
      runId,
      step: (e + 1) * 10,
      epoch: e,
      name: 'epoch/test_accuracy',
      value,
    });
    // A dip, a tie with the best later, a NaN epoch (stored as NULL): the best is epoch 2's.
    s.appendMetrics([at(0, 0.5), at(1, 0.7), at(2, 0.6), at(3, Number.NaN), at(4, 0.7), at(5, 0.65)]);
    s.flush();
    for (const r of [s, reader()]) {
      expect(r.getRun(runId)?.progress).toMatchObject({
        epochsDone: 6,
        latestTestAccuracy: 0.65,
        bestTestAccuracy: 0.7,
        bestEpoch: 2,
      });
    }
  });
});
