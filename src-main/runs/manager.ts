import path from 'node:path';
import { canFollow } from '../contract/run-status';
import type { BackendName, BackendReport } from '../engine/backend';
import type { ValidRunConfig } from '../engine/config/types';
import type { TrainEvent } from '../engine/train/events';
import { energyMicrojoules } from '../engine/train/energy';
import { configColumns } from './columns';
import { RunEventRecorder } from './event-recorder';
import { retryWhileBusy } from './store/busy';
import { removeStaleCheckpointTemps } from './store/checkpoint-files';
import { isProcessAlive } from './store/liveness';
import type { RunStore } from './store/run-store';
import type { RunRecord, RunStatus } from './store/types';
import { requestedBackendOf, resumeRefusal, storedConfigOf } from './stored-run';
import { awaitWorkerOutcome } from './worker-outcome';
import { launchTorchWorker } from './worker/torch-launch';
import { launchNodeWorker, type WorkerHandle, type WorkerLauncher } from './worker/launch';

export type RunManagerEvent =
  | { readonly runId: string; readonly kind: 'train'; readonly event: TrainEvent }
  | { readonly runId: string; readonly kind: 'status'; readonly status: RunStatus; readonly error?: string }
  | { readonly runId: string; readonly kind: 'backend'; readonly report: BackendReport }
  | { readonly runId: string; readonly kind: 'engine'; readonly description: string };

export { requestedBackendOf, resumeRefusal, storedConfigOf } from './stored-run';

export interface RunManagerOptions {
  readonly store: RunStore;
  /** Checkpoints go to `<dataDir>/checkpoints/<runId>/`. */
  readonly dataDir: string;
  readonly launch?: WorkerLauncher;
  /** Runs whose config chooses engine.name=torch (default: the PyTorch processes, torch/launch.ts). */
  readonly launchTorch?: WorkerLauncher;
  /**
   * The TF.js backend of runs that do not ask for one (default: the best available); a run's
   * own requested backend wins over it.
   */
  readonly backend?: BackendName;
  /** Training threads of each run (default: GLIF_THREADS, else every core). */
  readonly threads?: number;
}

interface ActiveRun {
  readonly runId: string;
  readonly worker: WorkerHandle;
  cancelRequested: boolean;
  /** Set by stopRuns: the worker is being killed for a shutdown, the run ends `interrupted`. */
  stopReason?: string;
}

interface Job {
  readonly runId: string;
  readonly resume: boolean;
  /** This attempt's backend, over the run's requested one (`glif train --resume --backend`). */
  readonly backend?: BackendName;
  readonly done: (record: RunRecord) => void;
}

/**
 * Owns the lifecycle of runs: creates them in the store, queues them, trains each in its own
 * worker process (one at a time), writes what the worker reports, and tells listeners. It is
 * the only store writer for training data.
 */
export class RunManager {
  private readonly store: RunStore;
  private readonly launch: WorkerLauncher;
  private readonly listeners = new Set<(e: RunManagerEvent) => void>();
  private readonly queue: Job[] = [];
  private active: ActiveRun | undefined;
  /**
   * The job taken from the queue, from that moment until its outcome is stored. Set at once (a
   * worker is launched only after an await), so that runs queued meanwhile wait for it.
   */
  private taken: { readonly runId: string; cancelRequested: boolean } | undefined;
  /** The job being trained, settled once its outcome is stored (see stopRuns). */
  private current: Promise<void> | undefined;
  /** Set by stopRuns: nothing starts any more. */
  private stopped = false;
  /** Worker processes not yet exited, with their exit (one that just reported may still be ending). */
  private readonly liveWorkers = new Map<WorkerHandle, Promise<void>>();

  constructor(private readonly options: RunManagerOptions) {
    this.store = options.store;
    this.launch = options.launch ?? launchNodeWorker;
  }

  /**
   * Runs left `running` by a process that died become `interrupted`; returns their ids. Also
   * removes the half-written checkpoints such a process left (its pid is gone).
   */
  recoverInterrupted(): string[] {
    const interrupted = this.store.markStaleRunningAsInterrupted(isProcessAlive);
    removeStaleCheckpointTemps(this.options.dataDir, isProcessAlive);
    return interrupted;
  }

  on(listener: (e: RunManagerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Records a queued run. The config was validated where it came in (its type says so: see
   * ValidRunConfig), so it is not checked again here.
   */
  createRun(
    config: ValidRunConfig,
    opts: {
      name?: string;
      tags?: readonly string[];
      notes?: string;
      parentRunId?: string;
      /** The backend it asks for, every attempt; absent: the host's (options.backend, else automatic). */
      requestedBackend?: BackendName | null;
    } = {},
  ): RunRecord {
    return this.store.createRun({
      name: opts.name,
      preset: config.preset,
      config,
      columns: configColumns(config),
      parentRunId: opts.parentRunId,
      requestedBackend: opts.requestedBackend ?? null,
      tags: opts.tags,
      notes: opts.notes,
    });
  }

  /** Queues a run; the promise settles with its final record when it has ended. */
  start(runId: string): Promise<RunRecord> {
    return this.enqueue(runId, false);
  }

  /**
   * Continues an interrupted, cancelled or failed run from its last checkpoint, if it has one, on
   * the backend it asked for (`opts.backend` overrides that for this attempt only).
   */
  resume(runId: string, opts: { backend?: BackendName } = {}): Promise<RunRecord> {
    const run = this.store.getRun(runId);
    if (!run) throw new Error(`no run ${runId}`);
    const refusal = resumeRefusal(run);
    if (refusal !== null) throw new Error(refusal);
    // A failed run without a checkpoint starts over from its config. That cannot help a run its
    // config fails (the run page offers Edit and rerun instead, and Resume only from a checkpoint),
    // but it is the way back for one whose worker was killed or crashed before the first save.
    // Refused now, with the reason, rather than failing once its turn in the queue comes.
    storedConfigOf(run);
    if (opts.backend === undefined) requestedBackendOf(run);
    return this.enqueue(runId, true, opts.backend);
  }

  cancel(runId: string): boolean {
    if (this.active?.runId === runId) {
      this.active.cancelRequested = true;
      this.active.worker.send({ type: 'cancel' });
      return true;
    }
    if (this.taken?.runId === runId) {
      // Taken from the queue, its worker not launched yet: it is cancelled once it starts.
      this.taken.cancelRequested = true;
      return true;
    }
    const i = this.queue.findIndex((j) => j.runId === runId);
    if (i < 0) return false;
    const [job] = this.queue.splice(i, 1);
    const record = job.resume
      ? this.store.getRun(runId)!
      : this.store.finishRun(runId, { status: 'cancelled' });
    this.emit({ runId, kind: 'status', status: record.status });
    job.done(record);
    return true;
  }

  get activeRunId(): string | undefined {
    return this.taken?.runId;
  }

  get queuedRunIds(): string[] {
    return this.queue.map((j) => j.runId);
  }

  private enqueue(runId: string, resume: boolean, backend?: BackendName): Promise<RunRecord> {
    return new Promise((done) => {
      this.queue.push({ runId, resume, done, ...(backend ? { backend } : {}) });
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped || this.taken || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    const taken = { runId: job.runId, cancelRequested: false };
    this.taken = taken;
    this.current = this.runJob(job, taken)
      .then(job.done, async (err: unknown) => {
        const message = (err as Error).message ?? String(err);
        let record: RunRecord;
        try {
          record = await this.failRun(job.runId, message);
        } catch (storeError) {
          record = this.unrecordedFailure(job.runId, storeError);
        }
        job.done(record);
      })
      .finally(() => {
        this.taken = undefined;
        setImmediate(() => this.pump());
      });
  }

  /**
   * Stops everything before the store is closed (a host shutting down, the app quitting): the
   * active worker is killed and, once it has exited, its run is stored as `interrupted` with
   * `reason` (resume continues it from its last checkpoint). Queued runs stay `queued` in the
   * store. Resolves when no worker is left and nothing more will be written; afterwards the
   * manager starts nothing.
   */
  async stopRuns(reason: string): Promise<void> {
    this.stopped = true;
    for (const job of this.queue.splice(0)) job.done(this.store.getRun(job.runId)!);
    if (this.active) this.active.stopReason = reason;
    for (const worker of this.liveWorkers.keys()) worker.kill();
    await Promise.all([this.current, ...this.liveWorkers.values()]);
  }

  /**
   * The store itself fails (a full disk, a database made read-only meanwhile), so a run's end
   * cannot be recorded. That must not crash the host or leave a caller waiting: the run is
   * reported failed here, and on disk it stays `running` under this process's id, which reads
   * as interrupted once the process is gone (resume continues from its last checkpoint).
   */
  private unrecordedFailure(runId: string, storeError: unknown): RunRecord {
    const code = (storeError as { code?: unknown }).code;
    const error =
      `the run database could not record this run's end: ${(storeError as Error).message ?? String(storeError)}` +
      (typeof code === 'string' ? ` (${code})` : '') +
      '; it can be resumed once that is fixed';
    // Reading works on a full disk; a store that cannot even read has nothing to report from.
    const run = this.store.getRun(runId);
    if (run === null) throw storeError;
    this.emit({ runId, kind: 'status', status: 'failed', error });
    return { ...run, status: 'failed', error };
  }

  private async failRun(runId: string, error: string): Promise<RunRecord> {
    const run = this.store.getRun(runId);
    const record =
      run && canFollow(run.status, 'failed')
        ? await this.write(runId, () => this.store.finishRun(runId, { status: 'failed', error }))
        : run!;
    this.emit({ runId, kind: 'status', status: record.status, error });
    return record;
  }

  /**
   * A run's lifecycle write. Another process (a second CLI, a backup tool, a sqlite shell) may
   * hold the database's lock for longer than busy_timeout: wait for it rather than fail the run
   * or lose its outcome.
   */
  private write<T>(runId: string, write: () => T): Promise<T> {
    let told = false;
    // Retried until the lock is gone, so each attempt may give up fast: the host keeps serving.
    return retryWhileBusy(() => this.store.withShortBusyTimeout(write), {
      onBusy: () => {
        if (!told) console.warn(`run ${runId}: the run database is locked by another process; waiting`);
        told = true;
      },
    });
  }

  private async runJob(job: Job, taken: { readonly cancelRequested: boolean }): Promise<RunRecord> {
    const run = this.store.getRun(job.runId);
    if (!run) throw new Error(`no run ${job.runId}`);
    const config = storedConfigOf(run);
    // The run's own choice first: the host's default is for runs that left it to the host. An
    // unavailable one fails the run in the worker, with initBackend's reason and fix.
    const backend = job.backend ?? requestedBackendOf(run) ?? this.options.backend;
    const checkpointDir = path.join(this.options.dataDir, 'checkpoints', job.runId);
    let resumeFrom: { path: string; sha256: string } | undefined;
    const previousMs = job.resume ? (run.durationMs ?? 0) : 0;
    if (job.resume) {
      // A crash since the last start may have left half-written checkpoints in the run's folder.
      removeStaleCheckpointTemps(this.options.dataDir, isProcessAlive, job.runId);
      const ckpt = this.store.getLatestCheckpoint(job.runId);
      await this.write(job.runId, () =>
        this.store.resumeRun(job.runId, {
          pid: process.pid,
          backend: run.backend ?? 'unknown',
          fromEpoch: ckpt ? ckpt.epoch : -1,
        }),
      );
      if (ckpt) resumeFrom = { path: ckpt.path, sha256: ckpt.sha256 };
    } else {
      await this.write(job.runId, () =>
        this.store.markRunning(job.runId, { pid: process.pid, backend: 'starting' }),
      );
    }
    this.emit({ runId: job.runId, kind: 'status', status: 'running' });

    const startedAt = Date.now();
    const worker =
      config.engine.name === 'torch' ? (this.options.launchTorch ?? launchTorchWorker)() : this.launch();
    this.liveWorkers.set(
      worker,
      new Promise((exited) =>
        worker.onExit(() => {
          this.liveWorkers.delete(worker);
          exited();
        }),
      ),
    );
    const active: ActiveRun = { runId: job.runId, worker, cancelRequested: taken.cancelRequested };
    this.active = active;
    const recorder = new RunEventRecorder(this.store, job.runId);
    try {
      const started = awaitWorkerOutcome(worker, {
        runId: job.runId,
        recorder,
        emit: (e) => this.emit(e),
        cancelRequested: () => active.cancelRequested,
        startedAt,
        start: {
          type: 'start',
          runId: job.runId,
          config,
          checkpointDir,
          resumeFrom,
          backend,
          threads: this.options.threads,
        },
      });
      if (active.cancelRequested) worker.send({ type: 'cancel' });
      const { outcome, exitedWithoutOutcome, killedBy, lastOperations } = await started;
      // Every event is in the database before the run is marked ended (a lock may delay both).
      await recorder.settled();
      // A worker killed by stopRuns did not fail: the run was stopped with its host (a worker
      // that reported its outcome just before keeps it). Nor did one killed from outside (kill -9
      // of the worker or of any torch rank, the OOM killer): its run is interrupted, and resume
      // continues it from its last checkpoint. A worker that exits with a code did fail.
      const interruptedBy = !exitedWithoutOutcome
        ? undefined
        : (active.stopReason ??
          (killedBy !== null && !active.cancelRequested
            ? `the training process was killed (${killedBy}); resume continues from its last checkpoint`
            : undefined));
      const record = await this.write(job.runId, () =>
        this.store.finishRun(job.runId, {
          status: interruptedBy !== undefined ? 'interrupted' : outcome.status,
          error: interruptedBy ?? outcome.error ?? null,
          durationMs: previousMs + (worker.trainedMs?.() ?? Date.now() - startedAt),
          finals: outcome.final
            ? {
                finalTestAccuracy: outcome.final.testAccuracy,
                finalTestLoss: outcome.final.testLoss,
                finalTrainAccuracy: outcome.final.trainAccuracy,
                finalTrainLoss: outcome.final.trainLoss,
                energySops: lastOperations?.sops ?? null,
                energyMacs: lastOperations?.macs ?? null,
                energyMicrojoules: lastOperations ? energyMicrojoules(lastOperations) : null,
              }
            : undefined,
        }),
      );
      this.emit({
        runId: job.runId,
        kind: 'status',
        status: record.status,
        error: record.error ?? undefined,
      });
      return record;
    } finally {
      this.active = undefined;
    }
  }

  private emit(e: RunManagerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's failure (a closed socket, say) must not stop training or storage.
      }
    }
  }

  /** Stops the active worker at once (process exit); the run is left to be marked interrupted. */
  killActive(): void {
    this.active?.worker.kill();
  }
}
