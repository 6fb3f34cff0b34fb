/**
 * The SQL of the run store's writes (run-store.ts). Status guards are built from the run-status
 * table, so a write can only make a move that table allows.
 */
import {
  RESUMABLE_RUN_STATUSES,
  statusesBefore,
  type RunStatus,
  type TerminalRunStatus,
} from '../../contract/run-status';

/**
 * The time of a run's earlier attempts plus its current attempt up to `end` (an SQL expression).
 * Rows from before attempt_started_at existed fall back to the time since the first start.
 */
const ATTEMPTS_UP_TO = (end: string): string => `CASE
      WHEN attempt_started_at IS NOT NULL THEN coalesce(duration_ms, 0) + max(0, ${end} - attempt_started_at)
      WHEN started_at IS NOT NULL THEN max(0, @now - started_at)
      ELSE duration_ms END`;

/**
 * `status IN ('queued', 'running')`: the statuses a move may start from, as SQL. They come from
 * the run-status table (constants, never input), so the store cannot allow a move it forbids.
 */
const statusIn = (from: readonly RunStatus[]): string =>
  `status IN (${from.map((status) => `'${status}'`).join(', ')})`;

/** A run's first start: the one move into `running` that is not a resume. */
export const START_FROM: readonly RunStatus[] = statusesBefore('running').filter(
  (status) => !RESUMABLE_RUN_STATUSES.includes(status),
);

export const finishRunSql = (
  to: TerminalRunStatus,
): string => `UPDATE runs SET status = @status, finished_at = @now, error = @error,
      duration_ms = coalesce(@durationMs, ${ATTEMPTS_UP_TO('@now')}),
      final_test_accuracy = coalesce(@finalTestAccuracy, final_test_accuracy),
      final_test_loss = coalesce(@finalTestLoss, final_test_loss),
      final_train_accuracy = coalesce(@finalTrainAccuracy, final_train_accuracy),
      final_train_loss = coalesce(@finalTrainLoss, final_train_loss),
      energy_sops = coalesce(@energySops, energy_sops),
      energy_macs = coalesce(@energyMacs, energy_macs),
      energy_uj = coalesce(@energyMicrojoules, energy_uj)
    WHERE id = @id AND ${statusIn(statusesBefore(to))}`;

export const SQL = {
  insertRun: `INSERT INTO runs (id, name, status, preset, created_at, parent_run_id, requested_backend, notes,
      config_json, dataset, model, variant, layerwise, time_steps, epochs, batch_size, lr, seed)
    VALUES (@id, @name, 'queued', @preset, @createdAt, @parentRunId, @requestedBackend, @notes,
      @configJson, @dataset, @model, @variant, @layerwise, @timeSteps, @epochs, @batchSize, @lr, @seed)`,
  insertTag: 'INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)',
  deleteTags: 'DELETE FROM tags WHERE run_id = ?',
  markRunning: `UPDATE runs SET status = 'running', pid = @pid, backend = @backend,
      started_at = coalesce(started_at, @now), attempt_started_at = @now, last_active_at = @now
    WHERE id = @id AND ${statusIn(START_FROM)}`,
  resumeRun: `UPDATE runs SET status = 'running', pid = @pid, backend = @backend, finished_at = NULL, error = NULL,
      attempt_started_at = @now, last_active_at = @now
    WHERE id = @id AND ${statusIn(RESUMABLE_RUN_STATUSES)}`,
  truncateMetrics: 'DELETE FROM metrics WHERE run_id = ? AND epoch > ?',
  truncateDistributions: 'DELETE FROM distributions WHERE run_id = ? AND epoch > ?',
  truncateCheckpoints: 'DELETE FROM checkpoints WHERE run_id = ? AND epoch > ?',
  setBackend: 'UPDATE runs SET backend = ?, adapter_json = ? WHERE id = ?',
  setThreads: 'UPDATE runs SET threads = ? WHERE id = ?',
  setNeuronImpl: 'UPDATE runs SET neuron_impl = ? WHERE id = ?',
  rename: 'UPDATE runs SET name = ? WHERE id = ?',
  setNotes: 'UPDATE runs SET notes = ? WHERE id = ?',
  runStatus: 'SELECT status FROM runs WHERE id = ?',
  deleteRun: 'DELETE FROM runs WHERE id = ?',
  runningRuns: `SELECT id, pid FROM runs WHERE status = 'running' ORDER BY id`,
  interrupt: `UPDATE runs SET status = 'interrupted', finished_at = @now,
      error = coalesce(error, @error), duration_ms = ${ATTEMPTS_UP_TO('coalesce(last_active_at, attempt_started_at)')}
    WHERE id = @id AND ${statusIn(statusesBefore('interrupted'))}`,
  upsertCheckpoint: `INSERT INTO checkpoints (run_id, epoch, step, path, sha256, bytes, created_at)
    VALUES (@runId, @epoch, @step, @path, @sha256, @bytes, @createdAt)
    ON CONFLICT (run_id, epoch) DO UPDATE SET
      step = excluded.step, path = excluded.path, sha256 = excluded.sha256, bytes = excluded.bytes,
      created_at = excluded.created_at`,
  checkpointPaths: 'SELECT path FROM checkpoints WHERE run_id = ? ORDER BY epoch',
} as const;
