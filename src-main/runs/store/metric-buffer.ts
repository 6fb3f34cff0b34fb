/**
 * Queues metric points and distributions and hands them to the store in batches: one
 * transaction per batch instead of one per point (a training step logs several metrics, and an
 * fsync per row would cost more than the step). A batch is written when `maxItems` are queued,
 * `maxDelayMs` after the first queued item, or on an explicit flush (finish, checkpoint, close).
 * A crash loses at most what was queued since the last batch.
 *
 * When another process holds the database's write lock (SQLITE_BUSY), the batch stays queued
 * and a timer retries it with backoff; meanwhile new items are only queued, since every attempt
 * blocks for busy_timeout.
 */
import { Backoff, isBusyError } from './busy';
import { RunStoreError } from './errors';
import type { DistributionRecord, MetricPointInput } from './types';

export interface MetricBatch {
  metrics: MetricPointInput[];
  distributions: DistributionRecord[];
}

export interface MetricWriteBufferOptions {
  /** Queue size that triggers a write. */
  maxItems?: number;
  /** Longest time an item waits in the queue; 0 disables the timer (size and explicit flushes only). */
  maxDelayMs?: number;
  /** Receives failures of writes started by the timer, which have no caller to throw to. */
  onError?: (error: unknown) => void;
}

export const DEFAULT_MAX_ITEMS = 1000;
export const DEFAULT_MAX_DELAY_MS = 1000;

function checkMetric(point: MetricPointInput): void {
  const ok =
    typeof point.runId === 'string' &&
    typeof point.name === 'string' &&
    point.name.length > 0 &&
    Number.isInteger(point.step) &&
    Number.isInteger(point.epoch) &&
    typeof point.value === 'number' &&
    (point.recordedAt === undefined || Number.isSafeInteger(point.recordedAt));
  if (!ok) throw new RunStoreError('invalid_input', `bad metric point ${JSON.stringify(point)}`);
}

function checkDistribution(record: DistributionRecord): void {
  const ok =
    typeof record.runId === 'string' &&
    Number.isInteger(record.epoch) &&
    typeof record.layer === 'string' &&
    typeof record.quantity === 'string' &&
    typeof record.stats?.count === 'number' &&
    Array.isArray(record.histogram?.counts) &&
    record.histogram.counts.every((c) => typeof c === 'number') &&
    // The bins are chosen per record (bins.ts): their edges must be there to read the counts by.
    Number.isFinite(record.histogram.lo) &&
    Number.isFinite(record.histogram.hi) &&
    record.histogram.hi >= record.histogram.lo;
  if (!ok) {
    throw new RunStoreError(
      'invalid_input',
      `bad distribution for run ${String(record.runId)}, layer ${String(record.layer)}, quantity ${String(record.quantity)}`,
    );
  }
}

export class MetricWriteBuffer {
  private metrics: MetricPointInput[] = [];
  private distributions: DistributionRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Set while a write failed with SQLITE_BUSY and the timer retries it. */
  private waitingForLock = false;
  private readonly lockBackoff = new Backoff();
  private readonly maxItems: number;
  private readonly maxDelayMs: number;
  private readonly onError: (error: unknown) => void;

  constructor(
    /** `background`: a flush nobody waits for, retried on SQLITE_BUSY by this buffer's timer. */
    private readonly write: (
      batch: MetricBatch,
      alongside: (() => void) | undefined,
      background: boolean,
    ) => void,
    options: MetricWriteBufferOptions = {},
  ) {
    this.maxItems = Math.max(1, options.maxItems ?? DEFAULT_MAX_ITEMS);
    this.maxDelayMs = Math.max(0, options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);
    this.onError =
      options.onError ?? ((error) => console.error('run store: writing queued metrics failed:', error));
  }

  /** Whether a write is waiting for another process's lock (the timer retries it). */
  get blockedByLock(): boolean {
    return this.waitingForLock;
  }

  get pending(): number {
    return this.metrics.length + this.distributions.length;
  }

  addMetrics(points: readonly MetricPointInput[]): void {
    this.assertOpen();
    points.forEach(checkMetric);
    for (const point of points) this.metrics.push(point);
    this.afterAdd();
  }

  addDistributions(records: readonly DistributionRecord[]): void {
    this.assertOpen();
    records.forEach(checkDistribution);
    for (const record of records) this.distributions.push(record);
    this.afterAdd();
  }

  /**
   * Writes everything queued, as one batch, and `alongside` (more writes) in the same
   * transaction. If the write fails as a whole (nothing was committed), the batch goes back to
   * the front of the queue for the next flush and the error is thrown; if it failed on another
   * process's lock, the timer also retries it.
   */
  flush(alongside?: () => void): void {
    this.flushBatch(alongside, false);
  }

  private flushBatch(alongside: (() => void) | undefined, background: boolean): void {
    this.clearTimer();
    if (this.pending === 0 && alongside === undefined) return;
    const batch: MetricBatch = { metrics: this.metrics, distributions: this.distributions };
    this.metrics = [];
    this.distributions = [];
    try {
      this.write(batch, alongside, background);
    } catch (error) {
      this.metrics = batch.metrics.concat(this.metrics);
      this.distributions = batch.distributions.concat(this.distributions);
      if (isBusyError(error) && this.pending > 0) {
        this.waitingForLock = true;
        this.schedule(this.lockBackoff.next());
      }
      throw error;
    }
    this.waitingForLock = false;
    this.lockBackoff.reset();
  }

  /** Flushes and refuses further items. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }

  private afterAdd(): void {
    if (this.waitingForLock) return; // the retry timer is set
    if (this.pending >= this.maxItems) {
      this.flushUnlessBusy();
    } else if (this.pending > 0 && this.timer === null && this.maxDelayMs > 0) {
      this.schedule(this.maxDelayMs);
    }
  }

  /** A flush nobody waits for: a lock only delays it (flush set the retry timer); other errors are thrown. */
  private flushUnlessBusy(): void {
    try {
      this.flushBatch(undefined, true);
    } catch (error) {
      if (!isBusyError(error)) throw error;
    }
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      try {
        this.flushUnlessBusy();
      } catch (error) {
        this.onError(error);
      }
    }, delayMs);
    // The timer must not keep a CLI process alive; closing the store is what guarantees the last flush.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new RunStoreError('closed', 'the run store is closed');
  }
}
