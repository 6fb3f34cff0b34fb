/**
 * `glif ablation`: a grid recorded in a real database (runs tagged `ablation` and
 * `ablation-<id>`) printed as the paper prints it, one row per variant in the paper's order, test
 * accuracy as mean ± sample std over the seeds whose runs completed (last or best epoch), energy
 * and time per run; a rerun replaces the failed run of its variant and seed. Real `glif` processes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/runs/store';
import { glif } from '../helpers/cli';

let tmp: string;
let db: string;

interface Cell {
  variant: string;
  seed: number;
  /** Test accuracy per epoch; null: the run failed before its first epoch. */
  accuracies: number[] | null;
  energy?: number;
  seconds?: number;
  group?: string;
}

function seedDatabase(file: string, cells: readonly Cell[]): void {
  let clock = 1_800_000_000_000;
  const store = RunStore.open(file, { now: () => (clock += 1000) });
  try {
    for (const c of cells) {
      const id = store.createRun({
        name: `${c.variant} · seed ${c.seed}`,
        config: { neuron: { variant: c.variant } },
        tags: ['ablation', `ablation-${c.group ?? 'g1'}`],
        columns: {
          dataset: 'fashion-mnist',
          model: 'fmnist-cnn',
          variant: c.variant,
          layerwise: false,
          timeSteps: 4,
          epochs: 2,
          batchSize: 64,
          lr: 0.1,
          seed: c.seed,
        },
      }).id;
      store.markRunning(id, { pid: process.pid, backend: 'wasm' });
      if (c.accuracies === null) {
        store.finishRun(id, { status: 'failed', error: 'boom', durationMs: 500 });
        continue;
      }
      store.appendMetrics(
        c.accuracies.map((value, epoch) => ({
          runId: id,
          step: (epoch + 1) * 10,
          epoch,
          name: 'epoch/test_accuracy',
          value,
        })),
      );
      store.finishRun(id, {
        status: 'completed',
        finals: { finalTestAccuracy: c.accuracies.at(-1)!, energyMicrojoules: c.energy ?? 6 },
        durationMs: (c.seconds ?? 10) * 1000,
      });
    }
  } finally {
    store.close();
  }
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-cli-ablation-'));
  db = path.join(tmp, 'grid.sqlite');
  seedDatabase(db, [
    // An older grid, shown only when asked for.
    { variant: 'glif', seed: 5, accuracies: [0.1, 0.2], group: 'g0' },
    { variant: 'glif', seed: 0, accuracies: [0.7, 0.8], energy: 6, seconds: 10 },
    { variant: 'simplex-101', seed: 0, accuracies: [0.75, 0.74], energy: 5, seconds: 12 },
    { variant: 'glif', seed: 1, accuracies: [0.9, 0.86], energy: 8, seconds: 14 },
    // Failed, then rerun: only the rerun counts.
    { variant: 'simplex-101', seed: 1, accuracies: null },
    { variant: 'simplex-101', seed: 1, accuracies: [0.7, 0.78], energy: 7, seconds: 16 },
  ]);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Row {
  variant: string;
  accuracy: { mean: number; std: number | null; n: number } | null;
  bestEpochs: number[];
  energyMicrojoules: { mean: number } | null;
  seconds: { mean: number; std: number | null } | null;
  completed: number;
  notCompleted: number;
}

describe('glif ablation', () => {
  it("prints the newest grid's variants in the paper's order, last epoch, mean ± sample std", () => {
    const r = glif(['ablation', '--group', 'ablation-g1', '--db', db, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { groupId: string; epoch: string; rows: Row[] };
    expect(out.groupId).toBe('ablation-g1');
    expect(out.rows.map((row) => row.variant)).toEqual(['simplex-101', 'glif']);
    const [simplex, glifRow] = out.rows;
    // Seed 0 ends at 0.74, seed 1's rerun at 0.78; the failed run is not a seed of its own.
    expect(simplex.accuracy!.mean).toBeCloseTo(0.76, 12);
    expect(simplex.accuracy!.std).toBeCloseTo(Math.sqrt(2 * 0.02 ** 2), 12);
    expect(simplex).toMatchObject({ completed: 2, notCompleted: 0, bestEpochs: [] });
    expect(glifRow.accuracy!.mean).toBeCloseTo(0.83, 12);
    expect(glifRow.energyMicrojoules!.mean).toBeCloseTo(7, 12);
    expect(glifRow.seconds!.mean).toBeCloseTo(12, 12);
    expect(glifRow.seconds!.std).toBeCloseTo(Math.sqrt(8), 12);

    const text = glif(['ablation', '--db', db]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^grid ablation-g1: preset .*, seeds 0, 1, 5 runs/);
    expect(text.stdout).toMatch(/simplex-101 .* 76\.00 ± 2\.83 .* 6\.00 ± 1\.41 .* 14\.0 ± 2\.8 +2\n/);
    expect(text.stdout).toMatch(/glif +GLIF +83\.00 ± 4\.24/);
  });

  it('takes the best epoch with the epochs that reached it, as the paper reports', () => {
    const r = glif(['ablation', '--epoch', 'best', '--db', db, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const rows = (JSON.parse(r.stdout) as { rows: Row[] }).rows;
    expect(rows[0].accuracy!.mean).toBeCloseTo((0.75 + 0.78) / 2, 12);
    expect(rows[0].bestEpochs).toEqual([1, 2]);
    expect(rows[1].accuracy!.mean).toBeCloseTo((0.8 + 0.9) / 2, 12);
    expect(rows[1].bestEpochs).toEqual([2, 1]);
    expect(glif(['ablation', '--epoch', 'best', '--db', db]).stdout).toMatch(/best epochs/);
  });

  it('lists the grids, reads an older one, and refuses what it cannot show', () => {
    const list = glif(['ablation', '--list', '--db', db]);
    expect(list.stdout).toMatch(/ablation-g1 .*\n.*ablation-g0/);
    const old = JSON.parse(glif(['ablation', '--group', 'ablation-g0', '--db', db, '--json']).stdout) as {
      rows: Row[];
    };
    expect(old.rows).toHaveLength(1);
    expect(old.rows[0].accuracy).toEqual({ mean: 0.2, std: null, n: 1 });
    const bad = glif(['ablation', '--epoch', 'first', '--db', db]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--epoch: 'last' or 'best', not 'first'/);
    const missing = glif(['ablation', '--group', 'ablation-nope', '--db', db]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no grid 'ablation-nope' .* grids: ablation-g1, ablation-g0/);
  });
});
