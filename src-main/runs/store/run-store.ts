import type Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS, openWriterDatabase, RETRY_BUSY_TIMEOUT_MS } from './connection';
import { RunStoreError, storeErrorLine } from './errors';
import { newRunId } from './ids';
import { interruptedReason } from './liveness';
import { writeMetricBatch } from './batch-write';
import { isBusyError } from './busy';
import { MetricWriteBuffer, type MetricBatch, type MetricWriteBufferOptions } from './metric-buffer';
import { defaultDbPath } from './paths';
import { SqliteRunStoreReader } from './reader';
import {
  RESUMABLE_RUN_STATUSES,
  statusesBefore,
  TERMINAL_RUN_STATUSES,
  type RunStatus,
} from '../../contract/run-status';
import {
  type CheckpointInput,
  type CheckpointRecord,
  type DeletedRun,
  type DistributionRecord,
  type MetricPointInput,
  type NewRunInput,
  type RunAdapter,
  type RunOutcome,
  type RunRecord,
  type RunStartInput,
  type RunStoreWriter,
} from './types';
import { finishRunSql, SQL, START_FROM } from './write-sql';
import { checkCheckpoint, checkColumns, normalizeName, normalizeTags, serializeConfig } from './validate';

export interface RunStoreOptions {
  /** Clock for created/started/finished times; injectable for tests. */
  now?: () => number;
  /** How long a write waits for another process's lock before SQLITE_BUSY (default BUSY_TIMEOUT_MS). */
  busyTimeoutMs?: number;
  buffer?: Omit<MetricWriteBufferOptions, 'onError'>;
  /**
   * Receives queued writes that failed: a whole batch written by the timer, or the points of
   * one run (say, a run deleted while its worker still reports) that were dropped so that the
   * rest of the batch could commit.
   */
  onWriteError?: (error: unknown, runId: string | null) => void;
}

/**
 * The store's only writer: one connection in the main process, through which every write
 * goes. It also reads (through the same connection, after flushing its queue, so it always
 * sees its own writes). Other processes read with `openRunStoreReader`.
 */
export class RunStore extends SqliteRunStoreReader implements RunStoreWriter {
  private readonly now: () => number;
  private readonly buffer: MetricWriteBuffer;
  private readonly onWriteError: (error: unknown, runId: string | null) => void;

  private readonly busyTimeoutMs: number;
  /** Nested withShortBusyTimeout calls (a retried write may flush the metric buffer, itself retrying). */
  private retryDepth = 0;

  private constructor(
    db: Database.Database,
    readonly file: string,
    options: RunStoreOptions,
  ) {
    super(db);
    this.busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
    this.onWriteError =
      options.onWriteError ??
      ((error, runId) =>
        console.error(
          `run store: a queued write${runId ? ` for run ${runId}` : ''} failed: ${storeErrorLine(error)}`,
        ));
    this.buffer = new MetricWriteBuffer(
      (batch, alongside, background) => this.writeBatch(batch, alongside, background),
      {
        ...options.buffer,
        onError: (error) => this.onWriteError(error, null),
      },
    );
  }

  /** Opens (creating and migrating if needed) the database at `file`, by default in the user's data folder. */
  static open(file: string = defaultDbPath(), options: RunStoreOptions = {}): RunStore {
    return new RunStore(openWriterDatabase(file, { busyTimeoutMs: options.busyTimeoutMs }), file, options);
  }

  /** Points and distributions queued but not yet written. */
  get pendingWrites(): number {
    return this.buffer.pending;
  }

  protected override beforeSeriesRead(): void {
    // While another process holds the write lock, read what is committed: another attempt would
    // block for busy_timeout and fail again, and the queued points follow once the lock is gone.
    if (this.buffer.blockedByLock) return;
    try {
      this.flush();
    } catch (error) {
      if (!isBusyError(error)) throw error;
    }
  }

  createRun(input: NewRunInput): RunRecord {
    checkColumns(input.columns);
    const configJson = serializeConfig(input.config);
    const { columns } = input;
    const name = normalizeName(input.name ?? `${columns.model} on ${columns.dataset}`);
    const tags = normalizeTags(input.tags ?? []);
    const parentRunId = input.parentRunId ?? null;
    if (parentRunId !== null) this.requireRun(parentRunId);
    const createdAt = this.now();
    const id = newRunId(createdAt);

    this.db.transaction(() => {
      this.statement(SQL.insertRun).run({
        id,
        name,
        preset: input.preset ?? null,
        createdAt,
        parentRunId,
        requestedBackend: input.requestedBackend ?? null,
        notes: input.notes ?? '',
        configJson,
        dataset: columns.dataset,
        model: columns.model,
        variant: columns.variant,
        layerwise: columns.layerwise === null ? null : columns.layerwise ? 1 : 0,
        timeSteps: columns.timeSteps,
        epochs: columns.epochs,
        batchSize: columns.batchSize,
        lr: columns.lr,
        seed: columns.seed,
      });
      for (const tag of tags) this.statement(SQL.insertTag).run(id, tag);
    })();
    return this.requireRun(id);
  }

  /**
   * Puts an interrupted, cancelled or failed run back to running, to continue from the
   * checkpoint taken after `fromEpoch`; whatever it recorded after that epoch is dropped, so
   * the continued run's series join without duplicates.
   */
  resumeRun(runId: string, start: RunStartInput & { fromEpoch: number }): RunRecord {
    this.flush();
    const tx = this.db.transaction(() => {
      const result = this.statement(SQL.resumeRun).run({
        id: runId,
        pid: start.pid,
        backend: start.backend,
        now: this.now(),
      });
      if (result.changes === 0) this.throwTransitionError(runId, 'running', RESUMABLE_RUN_STATUSES);
      for (const sql of [SQL.truncateMetrics, SQL.truncateDistributions, SQL.truncateCheckpoints]) {
        this.statement(sql).run(runId, start.fromEpoch);
      }
    });
    tx();
    return this.requireRun(runId);
  }

  /** The backend the worker actually runs on, once it knows. */
  setBackend(runId: string, backend: string, adapter: RunAdapter | null = null): void {
    this.statement(SQL.setBackend).run(backend, adapter ? JSON.stringify(adapter) : null, runId);
  }

  /** The threads the run trains on, from its started event. */
  setThreads(runId: string, threads: number): void {
    this.statement(SQL.setThreads).run(threads, runId);
  }

  /** The GLIF neuron implementation the run trains with, from its started event. */
  setNeuronImpl(runId: string, impl: string): void {
    this.statement(SQL.setNeuronImpl).run(impl, runId);
  }

  markRunning(runId: string, start: RunStartInput): RunRecord {
    if (!Number.isInteger(start.pid) || start.pid <= 0) {
      throw new RunStoreError('invalid_input', `bad pid ${start.pid}`);
    }
    const result = this.statement(SQL.markRunning).run({
      id: runId,
      pid: start.pid,
      backend: start.backend,
      now: this.now(),
    });
    if (result.changes === 0) this.throwTransitionError(runId, 'running', START_FROM);
    return this.requireRun(runId);
  }

  appendMetrics(points: readonly MetricPointInput[]): void {
    this.buffer.addMetrics(points);
  }

  putDistributions(records: readonly DistributionRecord[]): void {
    this.buffer.addDistributions(records);
  }

  flush(): void {
    this.buffer.flush();
  }

  /**
   * Writes what is queued and the checkpoint in one transaction: resume starts after the latest
   * checkpoint on record, so the metrics up to it (its epoch's summary included, when queued
   * first) must never be missing while it is there.
   */
  addCheckpoint(input: CheckpointInput): CheckpointRecord {
    checkCheckpoint(input);
    this.requireRun(input.runId);
    const record: CheckpointRecord = { ...input, createdAt: this.now() };
    this.buffer.flush(() => this.statement(SQL.upsertCheckpoint).run(record));
    return record;
  }

  finishRun(runId: string, outcome: RunOutcome): RunRecord {
    if (!(TERMINAL_RUN_STATUSES as readonly string[]).includes(outcome.status)) {
      throw new RunStoreError('invalid_input', `a run cannot finish as ${JSON.stringify(outcome.status)}`);
    }
    this.flush();
    const finals = outcome.finals ?? {};
    const result = this.statement(finishRunSql(outcome.status)).run({
      id: runId,
      status: outcome.status,
      now: this.now(),
      error: outcome.error ?? null,
      durationMs: outcome.durationMs ?? null,
      finalTestAccuracy: finals.finalTestAccuracy ?? null,
      finalTestLoss: finals.finalTestLoss ?? null,
      finalTrainAccuracy: finals.finalTrainAccuracy ?? null,
      finalTrainLoss: finals.finalTrainLoss ?? null,
      energySops: finals.energySops ?? null,
      energyMacs: finals.energyMacs ?? null,
      energyMicrojoules: finals.energyMicrojoules ?? null,
    });
    if (result.changes === 0)
      this.throwTransitionError(runId, outcome.status, statusesBefore(outcome.status));
    return this.requireRun(runId);
  }

  rename(runId: string, name: string): void {
    this.expectOneChange(this.statement(SQL.rename).run(normalizeName(name), runId), runId);
  }

  setNotes(runId: string, notes: string): void {
    if (typeof notes !== 'string') throw new RunStoreError('invalid_input', 'notes must be a string');
    this.expectOneChange(this.statement(SQL.setNotes).run(notes, runId), runId);
  }

  setTags(runId: string, tags: readonly string[]): string[] {
    const normalized = normalizeTags(tags);
    this.requireRun(runId);
    this.db.transaction(() => {
      this.statement(SQL.deleteTags).run(runId);
      for (const tag of normalized) this.statement(SQL.insertTag).run(runId, tag);
    })();
    return normalized;
  }

  /**
   * Changes a run's name, notes and tags together: every given field is checked first, and all
   * are written in one transaction, so a refused field leaves the others as they were.
   */
  updateRun(runId: string, patch: { name?: string; notes?: string; tags?: readonly string[] }): void {
    if (patch.name !== undefined) normalizeName(patch.name);
    if (patch.notes !== undefined && typeof patch.notes !== 'string')
      throw new RunStoreError('invalid_input', 'notes must be a string');
    if (patch.tags !== undefined) normalizeTags(patch.tags);
    this.db.transaction(() => {
      if (patch.name !== undefined) this.rename(runId, patch.name);
      if (patch.notes !== undefined) this.setNotes(runId, patch.notes);
      if (patch.tags !== undefined) this.setTags(runId, patch.tags);
    })();
  }

  /** Deletes the run with its metrics, distributions, checkpoints rows and tags. A running run must be stopped first. */
  deleteRun(runId: string): DeletedRun {
    const run = this.requireRun(runId);
    if (run.status === 'running') {
      throw new RunStoreError('run_active', `run ${runId} is running; cancel it before deleting it`);
    }
    // Queued points of this run would fail their foreign key after the delete; write them first.
    this.flush();
    const checkpointPaths = this.db.transaction(() => {
      const paths = (this.statement(SQL.checkpointPaths).all(runId) as Array<{ path: string }>).map(
        (row) => row.path,
      );
      this.statement(SQL.deleteRun).run(runId);
      return paths;
    })();
    return { runId, checkpointPaths };
  }

  markStaleRunningAsInterrupted(isAlive: (pid: number) => boolean): string[] {
    const running = this.statement(SQL.runningRuns).all() as Array<{ id: string; pid: number | null }>;
    const stale = running.filter((run) => run.pid === null || !isAlive(run.pid));
    const now = this.now();
    this.db.transaction(() => {
      for (const run of stale) {
        this.statement(SQL.interrupt).run({
          id: run.id,
          now,
          error: interruptedReason(run.pid),
        });
      }
    })();
    return stale.map((run) => run.id);
  }

  /** Writes what is queued, then closes the connection (also when the last write fails). */
  override close(): void {
    if (!this.db.open) return;
    try {
      this.buffer.close();
    } finally {
      super.close();
    }
  }

  /**
   * Runs a write whose caller retries it on SQLITE_BUSY (the event recorder, the run manager,
   * the metric buffer's timer) with busy_timeout lowered to RETRY_BUSY_TIMEOUT_MS: while another
   * process holds the lock, an attempt then blocks the event loop for milliseconds, not for the
   * full busy_timeout, and a host keeps answering. Writes nobody retries (a rename from the UI,
   * the last flush on close) keep waiting the full busy_timeout.
   */
  withShortBusyTimeout<T>(write: () => T): T {
    if (this.retryDepth++ === 0)
      this.db.pragma(`busy_timeout = ${Math.min(RETRY_BUSY_TIMEOUT_MS, this.busyTimeoutMs)}`);
    try {
      return write();
    } finally {
      if (--this.retryDepth === 0 && this.db.open) this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
  }

  private writeBatch(batch: MetricBatch, alongside: (() => void) | undefined, background: boolean): void {
    const write = () => writeMetricBatch(this.db, (sql) => this.statement(sql), batch, alongside, this.now());
    const failures = background ? this.withShortBusyTimeout(write) : write();
    for (const { runId, error } of failures) this.onWriteError(error, runId);
  }

  private expectOneChange(result: Database.RunResult, runId: string): void {
    if (result.changes === 0) throw new RunStoreError('not_found', `no run with id ${runId}`);
  }

  private throwTransitionError(runId: string, to: RunStatus, allowedFrom: readonly RunStatus[]): never {
    const row = this.statement(SQL.runStatus).get(runId) as { status: string } | undefined;
    if (row === undefined) throw new RunStoreError('not_found', `no run with id ${runId}`);
    throw new RunStoreError(
      'invalid_transition',
      `run ${runId} is ${row.status}; only a run that is ${allowedFrom.join(' or ')} can become ${to}`,
    );
  }
}
