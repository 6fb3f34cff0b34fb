/**
 * Another process may hold the database's write lock for longer than busy_timeout: a second
 * CLI, a backup tool, a sqlite shell in a transaction. Writes then fail with SQLITE_BUSY, which
 * is not an error of the data: the same write succeeds once the lock is released. These helpers
 * let writers wait for that (with backoff) instead of failing, or crashing, the run.
 */
import Database from 'better-sqlite3';

/** SQLITE_BUSY or SQLITE_LOCKED (any extended code): another connection holds a lock we need. */
export function isBusyError(err: unknown): boolean {
  return err instanceof Database.SqliteError && /^SQLITE_(BUSY|LOCKED)/.test(err.code);
}

export interface BackoffOptions {
  /** First wait after a busy failure (default 50 ms). */
  initialDelayMs?: number;
  /** Longest wait between attempts (default 2 s); each attempt also waits busy_timeout itself. */
  maxDelayMs?: number;
}

/** Doubling delays between attempts, from `initialDelayMs` up to `maxDelayMs`. */
export class Backoff {
  private readonly initial: number;
  private readonly max: number;
  private current: number;

  constructor(options: BackoffOptions = {}) {
    this.initial = Math.max(1, options.initialDelayMs ?? 50);
    this.max = Math.max(this.initial, options.maxDelayMs ?? 2000);
    this.current = this.initial;
  }

  /** The delay before the next attempt; each call doubles the one after. */
  next(): number {
    const delay = this.current;
    this.current = Math.min(this.current * 2, this.max);
    return delay;
  }

  reset(): void {
    this.current = this.initial;
  }
}

/**
 * Runs `write` until it does not fail with SQLITE_BUSY, waiting with backoff in between; any
 * other error is thrown. It never gives up on a lock: what it writes must not be lost, and a
 * lock is always released in the end (the holder finishes or dies).
 */
export async function retryWhileBusy<T>(
  write: () => T,
  options: BackoffOptions & { onBusy?: (error: unknown) => void } = {},
): Promise<T> {
  const backoff = new Backoff(options);
  for (;;) {
    try {
      return write();
    } catch (error) {
      if (!isBusyError(error)) throw error;
      options.onBusy?.(error);
      await new Promise((resolve) => setTimeout(resolve, backoff.next()));
    }
  }
}
