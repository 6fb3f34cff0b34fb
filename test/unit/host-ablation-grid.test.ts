/**
 * The ablation grid as the host builds it (Workbench.createAblation on a real SQLite file) and the
 * run queue that trains it: the paper's 8 simplex LIFs and GLIF, optionally GLIF_f and static
 * gates, one run per variant and seed, queued and trained one at a time in order. Workers are
 * stand-ins the test finishes one by one, so the queue's order is observed, not timed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RequestFailure } from '../../src-main/contract/errors';
import { findPreset } from '../../src-main/engine/config/presets';
import { readStoredConfig } from '../../src-main/engine/config/stored';
import { ABLATION_GRID, ablationVariants } from '../../src-main/service/ablation';
import { Workbench } from '../../src-main/service/workbench';
import { RunStore } from '../../src-main/runs/store/run-store';
import type { RunRecord } from '../../src-main/runs/store/types';
import type { WorkerHandle, WorkerLauncher } from '../../src-main/runs/worker/launch';
import type { FromWorker } from '../../src-main/runs/worker/protocol';

/** The paper's simplex LIFs: every combination of the three gate bits α β γ, 000 to 111. */
const SIMPLEX = Array.from({ length: 8 }, (_, i) => `simplex-${i.toString(2).padStart(3, '0')}`);

interface HeldWorker {
  readonly runId: string;
  /** Reports the run completed and exits, as a real worker does at the end of a run. */
  finish(): void;
}

/** A launcher whose workers hold their run until the test finishes them. */
function heldWorkers(): { launch: WorkerLauncher; started: HeldWorker[]; live: () => number } {
  const started: HeldWorker[] = [];
  let live = 0;
  const launch: WorkerLauncher = () => {
    let onMessage: (m: FromWorker) => void = () => {};
    const onExit: ((code: number | null, signal: string | null) => void)[] = [];
    live++;
    const exit = (code: number | null, signal: string | null) => {
      live--;
      for (const h of onExit) h(code, signal);
    };
    const handle: WorkerHandle = {
      send(m) {
        if (m.type === 'cancel') setImmediate(() => exit(0, null));
        if (m.type !== 'start') return;
        started.push({
          runId: m.runId,
          finish: () => {
            onMessage({ type: 'done', outcome: { status: 'completed', epochsDone: 1, seconds: 0 } });
            exit(0, null);
          },
        });
      },
      onMessage: (h) => (onMessage = h),
      onExit: (h) => onExit.push(h),
      kill: () => setImmediate(() => exit(null, 'SIGKILL')),
    };
    return handle;
  };
  return { launch, started, live: () => live };
}

/** Resolves once `check` holds, letting the manager's promise chain and setImmediate turns run. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setImmediate(r));
  expect(check()).toBe(true);
}

let dir: string;
let wb: Workbench;
let workers: ReturnType<typeof heldWorkers>;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-ablation-'));
  workers = heldWorkers();
  wb = new Workbench(RunStore.open(path.join(dir, 'runs.sqlite')), dir, () => {}, {
    launch: workers.launch,
  });
});

afterEach(async () => {
  await wb.close('test over');
  fs.rmSync(dir, { recursive: true, force: true });
});

const values = { 'train.epochs': 1, 'data.trainLimit': 64, 'data.testLimit': 32 };

describe('the variants of a grid', () => {
  it('is the 8 simplex LIFs in bit order, then GLIF; GLIF_f and static gates only when asked', () => {
    expect(ablationVariants(false, false)).toEqual([...SIMPLEX, 'glif']);
    // What the form counts its runs from (config.schema's `ablation`).
    expect(ABLATION_GRID).toEqual({
      base: [...SIMPLEX, 'glif'],
      glifF: 'glif-f',
      staticGates: 'glif-static',
    });
    expect(ablationVariants(true, false)).toEqual([...SIMPLEX, 'glif', 'glif-f']);
    expect(ablationVariants(false, true)).toEqual([...SIMPLEX, 'glif', 'glif-static']);
    expect(ablationVariants(true, true)).toEqual([...SIMPLEX, 'glif', 'glif-f', 'glif-static']);
  });
});

describe('Workbench.createAblation', () => {
  it('creates one run per variant and seed from the preset, tagged with its group', () => {
    const group = wb.createAblation({
      preset: 'synthetic-mlp',
      values,
      seeds: [3, 7],
      includeGlifF: true,
      includeStatic: true,
    });
    expect(group).toMatchObject({ preset: 'synthetic-mlp', seeds: [3, 7] });
    expect(group.groupId).toMatch(/^ablation-[0-9a-z]+$/);
    expect(group.runIds).toHaveLength(2 * 11);
    const runs = group.runIds.map((id) => wb.store.getRun(id)!);
    const variantsInOrder = [...SIMPLEX, 'glif', 'glif-f', 'glif-static'];
    // Seed by seed, each seed's variants in the grid's order.
    expect(runs.map((r) => [readStoredConfig(r.config).train.seed, r.columns.variant])).toEqual(
      [3, 7].flatMap((seed) => variantsInOrder.map((v) => [seed, v])),
    );
    const preset = findPreset('synthetic-mlp')!.config;
    for (const run of runs) {
      const config = readStoredConfig(run.config);
      expect(run.tags.sort()).toEqual([group.groupId, 'ablation'].sort());
      expect(run.name).toMatch(new RegExp(` · seed ${config.train.seed}$`));
      // Only the variant, the seed and the form's overrides differ from the preset.
      expect(config.model).toEqual(preset.model);
      expect(config.data).toEqual({ ...preset.data, trainLimit: 64, testLimit: 32 });
      expect(config.train).toEqual({ ...preset.train, epochs: 1, seed: config.train.seed });
      expect(config.neuron).toEqual({ ...preset.neuron, variant: config.neuron.variant });
    }
    expect(wb.listAblations()).toEqual([group]);
  });

  it('refuses invalid values before creating any run', () => {
    const create = () =>
      wb.createAblation({
        preset: 'synthetic-mlp',
        values: { ...values, 'train.epochs': 0 },
        seeds: [1, 2],
        includeGlifF: false,
        includeStatic: false,
      });
    expect(create).toThrow(RequestFailure);
    expect(create).toThrow(/train\.epochs/);
    expect(wb.store.listRuns({})).toEqual([]);
    expect(wb.listAblations()).toEqual([]);
    expect(workers.started).toEqual([]);
  });

  it('lists the newest group first, each with its own runs', () => {
    const base = { preset: 'synthetic-mlp', values, includeGlifF: false, includeStatic: false };
    const first = wb.createAblation({ ...base, seeds: [1] });
    // Group ids come from the clock in milliseconds.
    const t = Date.now();
    while (Date.now() === t) {
      /* wait for the next millisecond */
    }
    const second = wb.createAblation({ ...base, seeds: [2] });
    expect(second.groupId).not.toBe(first.groupId);
    expect(wb.listAblations().map((g) => [g.groupId, g.seeds, g.runIds])).toEqual([
      [second.groupId, [2], second.runIds],
      [first.groupId, [1], first.runIds],
    ]);
  });
});

describe('the run queue holding a grid', () => {
  it('trains the cells one at a time, in the order they were queued', async () => {
    const group = wb.createAblation({
      preset: 'synthetic-mlp',
      values,
      seeds: [1, 2],
      includeGlifF: false,
      includeStatic: false,
    });
    const ids = group.runIds;
    expect(ids).toHaveLength(18);
    await until(() => workers.started.length === 1);
    expect(wb.queueStatus()).toEqual({ active: ids[0], queued: ids.slice(1) });
    expect(wb.getRun(ids[5]).queuePosition).toBe(5);
    for (let i = 0; i < ids.length; i++) {
      await until(() => workers.started.length === i + 1);
      expect(workers.started[i].runId).toBe(ids[i]);
      expect(workers.live()).toBe(1);
      expect(wb.store.getRun(ids[i])!.status).toBe('running');
      workers.started[i].finish();
    }
    await until(() => wb.queueStatus().active === null);
    expect(workers.started.map((w) => w.runId)).toEqual(ids);
    expect(ids.map((id) => wb.store.getRun(id)!.status)).toEqual(ids.map(() => 'completed'));
  });

  it('cancels the cell taken from the queue before its worker has started', async () => {
    const { runIds: ids } = wb.createAblation({
      preset: 'synthetic-mlp',
      values,
      seeds: [6],
      includeGlifF: false,
      includeStatic: false,
    });
    // Taken at once; its worker is launched only once the run is marked running.
    expect(wb.queueStatus()).toEqual({ active: ids[0], queued: ids.slice(1) });
    expect(workers.started).toEqual([]);
    expect(wb.cancelRun(ids[0])).toEqual({ cancelled: true });
    await until(() => workers.started.length === 2);
    expect(wb.store.getRun(ids[0])!.status).toBe('cancelled');
    expect(workers.started[1].runId).toBe(ids[1]);
    expect(wb.queueStatus()).toEqual({ active: ids[1], queued: ids.slice(2) });
  });

  it('cancels a queued cell without disturbing the order; its rerun joins the end', async () => {
    const group = wb.createAblation({
      preset: 'synthetic-mlp',
      values,
      seeds: [4],
      includeGlifF: false,
      includeStatic: false,
    });
    const ids = group.runIds;
    await until(() => workers.started.length === 1);
    expect(wb.cancelRun(ids[3])).toEqual({ cancelled: true });
    expect(wb.store.getRun(ids[3])!.status).toBe('cancelled');
    expect(wb.queueStatus().queued).toEqual(ids.filter((_, i) => i !== 0 && i !== 3));
    const fresh: RunRecord = wb.rerun(ids[3]);
    expect(fresh.id).not.toBe(ids[3]);
    expect(fresh.config).toEqual(wb.store.getRun(ids[3])!.config);
    expect(fresh.tags.sort()).toEqual([group.groupId, 'ablation'].sort());
    const expected = [...ids.filter((_, i) => i !== 3), fresh.id];
    for (let i = 0; i < expected.length; i++) {
      await until(() => workers.started.length === i + 1);
      expect(workers.started[i].runId).toBe(expected[i]);
      workers.started[i].finish();
    }
    await until(() => wb.queueStatus().active === null);
    // A completed cell cannot be rerun; the group now counts the rerun too.
    expect(() => wb.rerun(ids[0])).toThrow(/only a failed, cancelled or interrupted run/);
    expect(wb.listAblations()[0].runIds).toEqual([...ids, fresh.id]);
  });
});
