import type { RunStatus, RunSummary } from './types';

/**
 * Whether a process id still names a running process, for finding runs whose worker died.
 * A recycled pid reads as alive; the run then stays `running` until that process ends too,
 * which errs on the side of never interrupting a live run.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    // Signal 0 probes without signalling; EPERM means the process exists but belongs to another user.
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The error recorded on a run whose process ended while the run was `running`. */
export function interruptedReason(pid: number | null): string {
  return `interrupted: the process running it (pid ${pid ?? 'unknown'}) ended without finishing the run`;
}

/**
 * A run as the next writer will record it: `running` with its process gone reads as
 * `interrupted`. For read-only views, which must not write that change themselves.
 */
export function withLiveness<T extends RunSummary>(
  run: T,
  isAlive: (pid: number) => boolean = isProcessAlive,
): T {
  if (run.status !== 'running' || (run.pid !== null && isAlive(run.pid))) return run;
  const status: RunStatus = 'interrupted';
  return { ...run, status, error: run.error ?? interruptedReason(run.pid) };
}
