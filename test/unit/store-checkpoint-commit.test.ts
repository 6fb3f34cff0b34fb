/**
 * A checkpoint row and the metrics queued before it are one transaction: resume starts after
 * the latest checkpoint on record, so the row must never be there without the points before it,
 * nor the points be committed while the row failed (the writer would then resume from the
 * previous checkpoint and record those points a second time).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore } from '../../src-main/runs/store';
import { syntheticRunInput } from '../helpers/run-input';

let dir: string;
let dbFile: string;
let store: RunStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-store-ckpt-commit-'));
  dbFile = path.join(dir, 'runs.sqlite');
  store = RunStore.open(dbFile, { buffer: { maxItems: 1000, maxDelayMs: 0 } });
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs SQL through a second connection to the same file, as another tool would. */
function otherConnection(sql: string): void {
  const db = new Database(dbFile);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

function count(sql: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('addCheckpoint', () => {
  it('commits the queued points and the checkpoint row together, or neither', () => {
    const runId = store.createRun(syntheticRunInput({ epochs: 1 })).id;
    store.appendMetrics([
      { runId, step: 9, epoch: 0, name: 'epoch/test_accuracy', value: 0.9 },
      { runId, step: 9, epoch: 0, name: 'epoch/test_loss', value: 0.3 },
    ]);
    const checkpoint = { runId, epoch: 0, step: 9, path: '/c/0', sha256: 'f'.repeat(64), bytes: 1 };

    // The row's insert fails (a trigger stands in for a full disk or an I/O error at that moment).
    otherConnection(
      "CREATE TRIGGER refuse_checkpoint BEFORE INSERT ON checkpoints BEGIN SELECT RAISE(ABORT, 'no room'); END",
    );
    expect(() => store.addCheckpoint(checkpoint)).toThrow(/no room/);
    expect(count('SELECT count(*) AS n FROM metrics')).toBe(0);
    expect(count('SELECT count(*) AS n FROM checkpoints')).toBe(0);
    expect(store.pendingWrites).toBe(2); // still queued, nothing lost

    otherConnection('DROP TRIGGER refuse_checkpoint');
    store.addCheckpoint(checkpoint);
    expect(store.pendingWrites).toBe(0);
    expect(count('SELECT count(*) AS n FROM metrics')).toBe(2);
    expect(store.getLatestCheckpoint(runId)).toMatchObject({ epoch: 0, path: '/c/0' });
  });
});
