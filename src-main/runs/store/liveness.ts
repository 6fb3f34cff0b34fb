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
