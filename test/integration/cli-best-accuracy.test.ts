/**
 * The paper and the authors' code report a run's best test accuracy over its epochs; the CLI shows
 * it beside the last epoch's, with its 1-based epoch: `glif runs list`, `glif runs compare` (text
 * and JSON) and `glif train`'s final line and JSON summary. Real `glif` processes on a real database.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/runs/store';
import { glif } from '../helpers/cli';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-cli-best-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const columns = {
  dataset: 'synthetic',
  model: 'mlp',
  variant: 'glif',
  layerwise: false,
  timeSteps: 4,
  epochs: 3,
  batchSize: 8,
  lr: 0.1,
  seed: 0,
};

/** Two completed runs: `peak` is best at epoch 2 and ends lower; `tie` reaches its best at epochs 1 and 3. */
function seedDatabase(file: string): { peak: string; tie: string } {
  const store = RunStore.open(file);
  try {
    const made = (name: string, lr: number, perEpoch: number[]): string => {
      const id = store.createRun({ name, config: { train: { lr } }, columns: { ...columns, lr } }).id;
      store.markRunning(id, { pid: process.pid, backend: 'cpu' });
      store.appendMetrics(
        perEpoch.map((value, epoch) => ({
          runId: id,
          step: (epoch + 1) * 4,
          epoch,
          name: 'epoch/test_accuracy',
          value,
        })),
      );
      store.finishRun(id, {
        status: 'completed',
        finals: { finalTestAccuracy: perEpoch.at(-1)! },
        durationMs: 1000,
      });
      return id;
    };
    return { peak: made('peak', 0.1, [0.5, 0.912, 0.8]), tie: made('tie', 0.05, [0.7, 0.6, 0.7]) };
  } finally {
    store.close();
  }
}

/** The cells of the table row whose first cell is `first` (formatTable pads with two spaces or more). */
function rowOf(text: string, first: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`${first} `));
  expect(line, text).toBeDefined();
  return line!.trim().split(/\s{2,}/);
}

describe('glif runs list and compare on a database with per-epoch test accuracy', () => {
  let db: string;
  let ids: { peak: string; tie: string };
  beforeAll(() => {
    db = path.join(tmp, 'seeded.sqlite');
    ids = seedDatabase(db);
  });

  it('lists the last epoch and the best epoch side by side', () => {
    const r = glif(['runs', 'list', '--db', db]);
    expect(r.status, r.stderr).toBe(0);
    const header = r.stdout
      .split('\n')[0]!
      .trim()
      .split(/\s{2,}/);
    const at = header.indexOf('test acc');
    expect(header[at + 1]).toBe('best (ep)');
    expect(rowOf(r.stdout, ids.peak).slice(at, at + 2)).toEqual(['80.00%', '91.20% (2)']);
    // Equal accuracies: the first epoch that reached it.
    expect(rowOf(r.stdout, ids.tie).slice(at, at + 2)).toEqual(['70.00%', '70.00% (1)']);
  });

  it('compares the best test accuracy with its epoch, in text and in JSON', () => {
    const text = glif(['runs', 'compare', ids.peak, ids.tie, '--db', db]);
    expect(text.status, text.stderr).toBe(0);
    const finals = text.stdout.slice(text.stdout.indexOf('final metrics:'));
    expect(rowOf(finals, 'test accuracy')).toEqual(['test accuracy', '80.00%', '70.00%']);
    expect(rowOf(finals, 'best test accuracy')).toEqual([
      'best test accuracy',
      '91.20% (epoch 2)',
      '70.00% (epoch 1)',
    ]);

    const json = glif(['runs', 'compare', ids.peak, ids.tie, '--db', db, '--json']);
    expect(json.status, json.stderr).toBe(0);
    const cmp = JSON.parse(json.stdout) as {
      finals: Array<{
        runId: string;
        finalTestAccuracy: number;
        bestTestAccuracy: number;
        bestEpoch: number;
      }>;
    };
    expect(cmp.finals.map((f) => [f.runId, f.finalTestAccuracy, f.bestTestAccuracy, f.bestEpoch])).toEqual([
      [ids.peak, 0.8, 0.912, 2],
      [ids.tie, 0.7, 0.7, 1],
    ]);
  });
});

describe('glif train reports the best epoch beside the last', () => {
  /** The run's stored per-epoch test accuracy, by epoch. */
  function storedAccuracy(db: string, runId: string): number[] {
    const d = new Database(db, { readonly: true });
    try {
      const rows = d
        .prepare(
          "SELECT epoch, value FROM metrics WHERE run_id = ? AND name = 'epoch/test_accuracy' ORDER BY epoch",
        )
        .all(runId) as Array<{ epoch: number; value: number }>;
      return rows.map((row) => row.value);
    } finally {
      d.close();
    }
  }

  /** The max and the 1-based epoch that first reached it. */
  function bestOf(values: readonly number[]): { accuracy: number; epoch: number } {
    const accuracy = Math.max(...values);
    return { accuracy, epoch: values.indexOf(accuracy) + 1 };
  }

  const args = (db: string, extra: string[]) => [
    'train',
    '--preset',
    'synthetic-mlp',
    '--db',
    db,
    '--threads',
    '1',
    ...['train.epochs=3', 'data.trainLimit=64', 'data.testLimit=64'].flatMap((kv) => ['--set', kv]),
    ...extra,
  ];

  it('puts bestTestAccuracy and bestEpoch in the JSON summary, as stored', () => {
    const db = path.join(tmp, 'train-json.sqlite');
    const r = glif(args(db, ['--json']));
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as {
      runId: string;
      final: { testAccuracy: number };
      bestTestAccuracy: number;
      bestEpoch: number;
    };
    const stored = storedAccuracy(db, summary.runId);
    expect(stored).toHaveLength(3);
    expect(summary.final.testAccuracy).toBe(stored[2]);
    const best = bestOf(stored);
    expect(summary.bestTestAccuracy).toBe(best.accuracy);
    expect(summary.bestEpoch).toBe(best.epoch);
  });

  it('names the best accuracy and its epoch on the final line', () => {
    const db = path.join(tmp, 'train-text.sqlite');
    const r = glif(args(db, []));
    expect(r.status, r.stderr).toBe(0);
    const last = r.stdout.trim().split('\n').at(-1)!;
    const m =
      /^run (\S+) completed in [\d.]+ s: test accuracy ([\d.]+)%, best ([\d.]+)% \(epoch (\d+)\)$/.exec(last);
    expect(m, last).not.toBeNull();
    const stored = storedAccuracy(db, m![1]!);
    const best = bestOf(stored);
    expect(m![2]).toBe((stored[2]! * 100).toFixed(2));
    expect(m![3]).toBe((best.accuracy * 100).toFixed(2));
    expect(Number(m![4])).toBe(best.epoch);
  });
});
