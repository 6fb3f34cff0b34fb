/**
 * Writing a batch of queued metric points and distributions: the hot path of the store while a
 * run trains, apart from the writer's run bookkeeping in run-store.ts.
 */
import type Database from 'better-sqlite3';
import { isBusyError } from './busy';
import type { MetricBatch } from './metric-buffer';

// Recovery counts a dead process's attempt up to the last time its run recorded something.
const TOUCH_RUN = 'UPDATE runs SET last_active_at = ? WHERE id = ?';
const INSERT_METRIC =
  'INSERT INTO metrics (run_id, step, epoch, name, value, recorded_at) VALUES (?, ?, ?, ?, ?, ?)';
const UPSERT_DISTRIBUTION = `INSERT INTO distributions (run_id, epoch, layer, quantity, count, mean, std, min, max,
      p05, p25, p50, p75, p95, histogram_json)
    VALUES (@runId, @epoch, @layer, @quantity, @count, @mean, @std, @min, @max,
      @p05, @p25, @p50, @p75, @p95, @histogramJson)
    ON CONFLICT (run_id, epoch, layer, quantity) DO UPDATE SET
      count = excluded.count, mean = excluded.mean, std = excluded.std, min = excluded.min, max = excluded.max,
      p05 = excluded.p05, p25 = excluded.p25, p50 = excluded.p50, p75 = excluded.p75, p95 = excluded.p95,
      histogram_json = excluded.histogram_json`;

/** The points of one run that were dropped so that the rest of a batch could commit. */
export interface BatchFailure {
  runId: string;
  error: unknown;
}

function groupByRun(batch: MetricBatch): Map<string, MetricBatch> {
  const byRun = new Map<string, MetricBatch>();
  const groupOf = (runId: string): MetricBatch => {
    let group = byRun.get(runId);
    if (group === undefined) {
      group = { metrics: [], distributions: [] };
      byRun.set(runId, group);
    }
    return group;
  };
  for (const point of batch.metrics) groupOf(point.runId).metrics.push(point);
  for (const record of batch.distributions) groupOf(record.runId).distributions.push(record);
  return byRun;
}

/**
 * One transaction for the whole batch, with a savepoint per run: if one run's points fail
 * (typically a foreign key, the run having been deleted), only those are dropped and returned.
 * `alongside` runs last in the same transaction. If the transaction fails as a whole (nothing
 * committed), it throws. Each run with points in the batch is marked active at `now`.
 */
export function writeMetricBatch(
  db: Database.Database,
  statement: (sql: string) => Database.Statement,
  batch: MetricBatch,
  alongside: (() => void) | undefined,
  now: number,
): BatchFailure[] {
  const insertMetric = statement(INSERT_METRIC);
  const upsertDistribution = statement(UPSERT_DISTRIBUTION);
  const touchRun = statement(TOUCH_RUN);
  const writeGroup = db.transaction((runId: string, group: MetricBatch) => {
    touchRun.run(now, runId);
    for (const p of group.metrics)
      insertMetric.run(p.runId, p.step, p.epoch, p.name, p.value, p.recordedAt ?? null);
    for (const d of group.distributions) {
      upsertDistribution.run({
        runId: d.runId,
        epoch: d.epoch,
        layer: d.layer,
        quantity: d.quantity,
        ...d.stats,
        histogramJson: JSON.stringify(d.histogram),
      });
    }
  });

  const failures: BatchFailure[] = [];
  // IMMEDIATE takes the write lock at BEGIN: another process's lock fails the whole batch there,
  // which the buffer keeps and retries, instead of failing inside a run's savepoint below.
  db.transaction(() => {
    for (const [runId, group] of groupByRun(batch)) {
      try {
        writeGroup(runId, group); // nested: runs as a savepoint inside the outer transaction
      } catch (error) {
        // A lock is no fault of this run's points: fail the batch as a whole (nothing is lost).
        if (isBusyError(error)) throw error;
        failures.push({ runId, error });
      }
    }
    alongside?.();
  }).immediate();
  return failures;
}
