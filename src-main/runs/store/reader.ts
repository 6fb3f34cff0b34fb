import type Database from 'better-sqlite3';
import { diffConfigs, flattenConfig, seedGroups } from './config-diff';
import { openReadonlyDatabase } from './connection';
import { downsample } from './downsample';
import { RunStoreError } from './errors';
import { limitClause, orderClause, whereClause } from './list-query';
import {
  RUN_SUMMARY_COLUMNS,
  checkpointFromRow,
  distributionFromRow,
  nullToNaN,
  runRecordFromRow,
  runSummaryFromRow,
  type CheckpointRow,
  type DistributionRow,
  type RunRow,
  type RunRowWithConfig,
} from './rows';
import type {
  CheckpointRecord,
  DistributionFilter,
  DistributionRecord,
  MetricPoint,
  MetricQueryOptions,
  MetricSeries,
  RecordedMetricPoint,
  JsonValue,
  RunComparison,
  RunFilter,
  RunFlatConfig,
  RunListQuery,
  RunRecord,
  RunStoreReader,
  RunSummary,
  TagCount,
} from './types';

interface MetricRow {
  name: string;
  step: number;
  epoch: number;
  value: number | null;
}

const DEFAULT_DOWNSAMPLE = 'lttb';
const MAX_CACHED_STATEMENTS = 256;

/**
 * The read side of the store over any connection. `openRunStoreReader` gives it a read-only
 * connection of its own; `RunStore` (the writer) extends it to read through its own connection.
 */
export class SqliteRunStoreReader implements RunStoreReader {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(protected readonly db: Database.Database) {}

  /** Prepared once per distinct SQL text and reused: list queries vary only by which filters are set. */
  protected statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      // Filter combinations are few in practice; the cap only guards against a pathological caller.
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Called before reading series that a writer may still hold in memory. */
  protected beforeSeriesRead(): void {}

  listRuns(query: RunListQuery = {}): RunSummary[] {
    const where = whereClause(query);
    const limit = limitClause(query);
    const sql = `SELECT ${RUN_SUMMARY_COLUMNS} FROM runs r ${where.sql} ${orderClause(query.sort)} ${limit.sql}`;
    const rows = this.statement(sql).all(...where.params, ...limit.params) as RunRow[];
    return rows.map(runSummaryFromRow);
  }

  countRuns(filter: RunFilter = {}): number {
    const where = whereClause(filter);
    const row = this.statement(`SELECT count(*) AS n FROM runs r ${where.sql}`).get(...where.params) as {
      n: number;
    };
    return row.n;
  }

  getRun(runId: string): RunRecord | null {
    const row = this.statement(`SELECT ${RUN_SUMMARY_COLUMNS}, r.config_json FROM runs r WHERE r.id = ?`).get(
      runId,
    ) as RunRowWithConfig | undefined;
    return row === undefined ? null : runRecordFromRow(row);
  }

  getFlatConfigs(runIds: readonly string[]): RunFlatConfig[] {
    // One statement for any number of ids (the Runs list asks for thousands): the ids travel as
    // one JSON array, not as one bound parameter each, which SQLite caps.
    const rows = this.statement(
      `SELECT r.id, r.config_json FROM json_each(?) AS asked JOIN runs r ON r.id = asked.value
       ORDER BY asked.key`,
    ).all(JSON.stringify(runIds)) as Array<{ id: string; config_json: string }>;
    return rows.map((row) => ({
      runId: row.id,
      values: Object.fromEntries(flattenConfig(JSON.parse(row.config_json) as JsonValue)),
    }));
  }

  protected requireRun(runId: string): RunRecord {
    const run = this.getRun(runId);
    if (run === null) throw new RunStoreError('not_found', `no run with id ${runId}`);
    return run;
  }

  getMetricNames(runId: string): string[] {
    this.beforeSeriesRead();
    const rows = this.statement('SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name').all(
      runId,
    ) as Array<{
      name: string;
    }>;
    return rows.map((row) => row.name);
  }

  getMetrics(runId: string, names?: readonly string[], options: MetricQueryOptions = {}): MetricSeries[] {
    this.beforeSeriesRead();
    const seriesNames = names ?? this.getMetricNames(runId);
    const maxPoints = options.maxPoints;
    if (maxPoints !== undefined && (!Number.isInteger(maxPoints) || maxPoints < 1)) {
      throw new RunStoreError('invalid_input', `maxPoints must be a positive integer, got ${maxPoints}`);
    }
    const select = this.statement(
      `SELECT step, epoch, value, recorded_at AS recordedAt FROM metrics
       WHERE run_id = ? AND name = ? AND step >= ? AND step <= ?
       ORDER BY step, id`,
    );
    const from = options.fromStep ?? Number.MIN_SAFE_INTEGER;
    const to = options.toStep ?? Number.MAX_SAFE_INTEGER;
    return seriesNames.map((name) => {
      const rows = select.all(runId, name, from, to) as Array<MetricRow & { recordedAt: number | null }>;
      const points: MetricPoint[] = rows.map((row) => ({
        step: row.step,
        epoch: row.epoch,
        value: nullToNaN(row.value),
        recordedAt: row.recordedAt,
      }));
      const downsampled = maxPoints !== undefined && points.length > maxPoints;
      return {
        name,
        points: downsampled ? downsample(points, maxPoints, options.method ?? DEFAULT_DOWNSAMPLE) : points,
        totalPoints: points.length,
        downsampled,
      };
    });
  }

  getRecordedMetrics(runId: string): RecordedMetricPoint[] {
    this.beforeSeriesRead();
    const rows = this.statement(
      `SELECT name, step, epoch, value, recorded_at AS recordedAt FROM metrics
       WHERE run_id = ? ORDER BY name, step, id`,
    ).all(runId) as Array<MetricRow & { recordedAt: number | null }>;
    return rows.map((row) => ({
      name: row.name,
      step: row.step,
      epoch: row.epoch,
      value: nullToNaN(row.value),
      recordedAt: row.recordedAt,
    }));
  }

  getDistributions(runId: string, filter: DistributionFilter = {}): DistributionRecord[] {
    this.beforeSeriesRead();
    // NULL parameters mean "any"; one statement serves every combination of filters.
    const rows = this.statement(
      `SELECT run_id, epoch, layer, quantity, count, mean, std, min, max, p05, p25, p50, p75, p95, histogram_json
       FROM distributions
       WHERE run_id = @runId AND (@layer IS NULL OR layer = @layer)
         AND (@quantity IS NULL OR quantity = @quantity) AND (@epoch IS NULL OR epoch = @epoch)
       ORDER BY epoch, layer, quantity`,
    ).all({
      runId,
      layer: filter.layer ?? null,
      quantity: filter.quantity ?? null,
      epoch: filter.epoch ?? null,
    }) as DistributionRow[];
    return rows.map(distributionFromRow);
  }

  getCheckpoints(runId: string): CheckpointRecord[] {
    const rows = this.statement(
      'SELECT run_id, epoch, step, path, sha256, bytes, created_at FROM checkpoints WHERE run_id = ? ORDER BY epoch',
    ).all(runId) as CheckpointRow[];
    return rows.map(checkpointFromRow);
  }

  getLatestCheckpoint(runId: string): CheckpointRecord | null {
    const row = this.statement(
      `SELECT run_id, epoch, step, path, sha256, bytes, created_at FROM checkpoints
       WHERE run_id = ? ORDER BY epoch DESC, step DESC LIMIT 1`,
    ).get(runId) as CheckpointRow | undefined;
    return row === undefined ? null : checkpointFromRow(row);
  }

  getTags(runId: string): string[] {
    const rows = this.statement('SELECT tag FROM tags WHERE run_id = ? ORDER BY tag').all(runId) as Array<{
      tag: string;
    }>;
    return rows.map((row) => row.tag);
  }

  listTags(): TagCount[] {
    return this.statement(
      'SELECT tag, count(*) AS runs FROM tags GROUP BY tag ORDER BY tag',
    ).all() as TagCount[];
  }

  compareRuns(runIds: readonly string[]): RunComparison {
    const records = runIds.map((id) => this.requireRun(id));
    const runs = records.map(({ config: _config, ...summary }) => summary);
    const configs = records.map((run) => ({ runId: run.id, config: run.config }));
    return {
      runs,
      configDiff: diffConfigs(configs),
      finals: runs.map((run) => ({
        runId: run.id,
        durationMs: run.durationMs,
        ...run.finals,
        bestTestAccuracy: run.progress.bestTestAccuracy,
        bestEpoch: run.progress.bestEpoch,
      })),
      seedGroups: seedGroups(configs),
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** A reader on its own read-only connection; it can run beside the writer (WAL), in any process. */
export function openRunStoreReader(file: string): RunStoreReader {
  return new SqliteRunStoreReader(openReadonlyDatabase(file));
}
