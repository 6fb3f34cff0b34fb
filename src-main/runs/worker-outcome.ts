import type { TrainOutcome } from '../engine/train/events';
import type { OperationsPerSample } from '../engine/train/energy';
import type { RunEventRecorder } from './event-recorder';
import type { RunManagerEvent } from './manager';
import type { ToWorker } from './worker/protocol';
import type { WorkerHandle } from './worker/launch';

/** How one training worker ended, as the run manager needs it to record the run's end. */
export interface WorkerOutcome {
  readonly outcome: TrainOutcome;
  /** The worker ended without reporting an outcome (killed, crashed). */
  readonly exitedWithoutOutcome: boolean;
  /** The signal that ended it then (a kill -9, the OOM killer); null when it exited with a code. */
  readonly killedBy: string | null;
  /** Operations per sample at the last epoch, for the energy estimate; null before any epoch. */
  readonly lastOperations: OperationsPerSample | null;
}

export interface WorkerSessionOptions {
  readonly runId: string;
  /** Writes each reported event to the store, in order. */
  readonly recorder: RunEventRecorder;
  readonly emit: (e: RunManagerEvent) => void;
  /** Whether the run's cancel was asked for, read when the worker ends without an outcome. */
  readonly cancelRequested: () => boolean;
  readonly startedAt: number;
  readonly start: Extract<ToWorker, { type: 'start' }>;
}

/**
 * Starts a run in `worker`, records and relays what it reports, and resolves once it has reported
 * its outcome or exited without one (then the outcome is `cancelled` if a cancel was asked for,
 * else `failed` with the exit code or signal).
 */
export function awaitWorkerOutcome(worker: WorkerHandle, o: WorkerSessionOptions): Promise<WorkerOutcome> {
  const { runId, recorder, emit } = o;
  let lastOperations: OperationsPerSample | null = null;
  return new Promise<WorkerOutcome>((resolve) => {
    let settled = false;
    worker.onMessage((m) => {
      switch (m.type) {
        case 'backend':
          recorder.recordBackend(m.report.active, m.report.adapter);
          emit({ runId, kind: 'backend', report: m.report });
          return;
        case 'engine':
          // The torch engine's layout is the run's backend: what it trained on, shown with it.
          recorder.recordBackend(m.description);
          emit({ runId, kind: 'engine', description: m.description });
          return;
        case 'event':
          recorder.record(m.event);
          if (m.event.type === 'epoch')
            lastOperations = { sops: m.event.sopsPerSample, macs: m.event.macsPerSample };
          emit({ runId, kind: 'train', event: m.event });
          return;
        case 'done':
          settled = true;
          resolve({ outcome: m.outcome, exitedWithoutOutcome: false, killedBy: null, lastOperations });
          return;
      }
    });
    worker.onExit((code, signal) => {
      if (settled) return;
      settled = true;
      const cancelled = o.cancelRequested();
      resolve({
        outcome: {
          status: cancelled ? 'cancelled' : 'failed',
          error: cancelled
            ? undefined
            : `the training process exited unexpectedly (${signal ?? `code ${code}`})`,
          epochsDone: 0,
          seconds: (Date.now() - o.startedAt) / 1000,
        },
        exitedWithoutOutcome: true,
        killedBy: signal,
        lastOperations,
      });
    });
    worker.send(o.start);
  });
}
