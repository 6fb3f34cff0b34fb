import type { EpochEvent, StepEvent, TrainEvent } from '../engine/train/events';
import { epochMetricPoints, stepMetricPoints } from './metric-points';
import { Backoff, isBusyError, type BackoffOptions } from './store/busy';
import { storeErrorLine } from './store/errors';
import type { CheckpointInput, MetricPointInput, RunAdapter, RunStoreWriter } from './store/types';

export interface RunEventRecorderOptions {
  /** Waits between attempts while another process holds the database's lock. */
  readonly retry?: BackoffOptions;
  /** Told once each time the database is found locked (the writes are kept and retried). */
  readonly onBusy?: (error: unknown) => void;
  /** A write that failed for another reason; it is dropped, since retrying would fail the same way. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Turns one run's training events into store writes. Metric points are queued (the store
 * batches them into transactions); epoch boundaries flush, so a crash loses at most the steps
 * since the last epoch or batch flush.
 *
 * The trainer reports an epoch's checkpoint before that epoch's summary. Resume starts after the
 * latest checkpoint on record, so a checkpoint recorded on its own, followed by a crash before
 * the summary, would lose that epoch's summary for good. The checkpoint is therefore held until
 * its epoch's summary has been queued, and both are written in one transaction.
 *
 * Another process may hold the database's write lock for longer than busy_timeout. Then the
 * writes wait here, in order, and are retried with backoff; points keep being queued in the
 * store. Nothing is thrown to the caller (the worker's message handler, where a throw would
 * crash the host) and nothing is lost; `settled` says when everything is in the database.
 */
export class RunEventRecorder {
  private heldCheckpoint: CheckpointInput | null = null;
  /** Writes not done yet, in order; the first one is retried while the database is locked. */
  private readonly writes: Array<() => void> = [];
  private retryTimer: NodeJS.Timeout | null = null;
  private locked = false;
  private readonly backoff: Backoff;
  private readonly waiters: Array<() => void> = [];
  private readonly onBusy: (error: unknown) => void;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly store: RunStoreWriter,
    private readonly runId: string,
    options: RunEventRecorderOptions = {},
  ) {
    this.backoff = new Backoff(options.retry);
    this.onBusy =
      options.onBusy ??
      (() =>
        console.warn(
          `run ${runId}: the run database is locked by another process; ` +
            `keeping this run's events in memory and retrying until it is released`,
        ));
    this.onError =
      options.onError ??
      ((error) => console.error(`run ${runId}: recording an event failed: ${storeErrorLine(error)}`));
  }

  record(event: TrainEvent): void {
    try {
      this.handle(event);
    } catch (error) {
      // A malformed point (say, from a worker of another version): report it, keep the run going.
      this.onError(error);
    }
  }

  /** The backend the worker actually runs on. */
  recordBackend(backend: string, adapter?: RunAdapter): void {
    this.enqueue(() => this.store.setBackend(this.runId, backend, adapter ?? null));
  }

  /** Resolves once every write so far is in the database (after any lock has been released). */
  settled(): Promise<void> {
    if (this.writes.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private handle(event: TrainEvent): void {
    const { store, runId } = this;
    switch (event.type) {
      case 'step':
        store.appendMetrics(stepPoints(runId, event));
        return;
      case 'epoch': {
        store.appendMetrics(epochPoints(runId, event));
        store.putDistributions(
          event.distributions.map((d) => ({
            runId,
            epoch: event.epoch,
            layer: d.layer,
            quantity: d.quantity,
            stats: { ...d.stats },
            histogram: { ...d.histogram, counts: [...d.histogram.counts] },
          })),
        );
        const checkpoint = this.heldCheckpoint;
        this.heldCheckpoint = null;
        if (checkpoint !== null && checkpoint.epoch === event.epoch) {
          this.enqueue(() => store.addCheckpoint(checkpoint));
        } else {
          this.enqueue(() => store.flush());
        }
        return;
      }
      case 'checkpoint':
        // A checkpoint whose summary never comes (the worker died in between) is never recorded:
        // resume then starts from the one before and trains that epoch again.
        this.heldCheckpoint = {
          runId,
          epoch: event.epoch,
          step: event.step,
          path: event.path,
          sha256: event.sha256,
          bytes: event.bytes,
        };
        return;
      case 'started':
        this.enqueue(() => store.setThreads(runId, event.threads));
        this.enqueue(() => store.setNeuronImpl(runId, event.neuronImpl));
        return;
      case 'log':
        return;
    }
  }

  /** Each write may be attempted more than once, so each is one store call that commits all or nothing. */
  private enqueue(write: () => void): void {
    this.writes.push(write);
    if (this.retryTimer === null) this.drain();
  }

  private drain(): void {
    this.retryTimer = null;
    while (this.writes.length > 0) {
      try {
        // Every write here is retried on a lock: poll briefly, so the host's event loop stays free.
        this.store.withShortBusyTimeout(this.writes[0]);
      } catch (error) {
        if (isBusyError(error)) {
          if (!this.locked) this.onBusy(error);
          this.locked = true;
          this.retryTimer = setTimeout(() => this.drain(), this.backoff.next());
          return;
        }
        this.onError(error);
      }
      this.writes.shift();
      this.locked = false;
      this.backoff.reset();
    }
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

// Stamped when the event arrives, not when its batch is written: a batch waits up to a second.
function stepPoints(runId: string, e: StepEvent): MetricPointInput[] {
  return stepMetricPoints(e, Date.now()).map((point) => ({ runId, ...point }));
}

function epochPoints(runId: string, e: EpochEvent): MetricPointInput[] {
  return epochMetricPoints(e, Date.now()).map((point) => ({ runId, ...point }));
}
