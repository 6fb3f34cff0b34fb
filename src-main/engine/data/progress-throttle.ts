/**
 * Per-file progress of a cache being built, thinned to about one report a second: the trainer and
 * the torch launcher turn every report into a log line, and ImageNet has 1.28 M images.
 */

/** Milliseconds between two reports that are neither the first nor the last. */
export const PROGRESS_INTERVAL_MS = 1000;

/**
 * A gate for `done` of `total` reports, in order: it passes the first, the last (done >= total)
 * and any that comes at least `intervalMs` after the previous one it passed. `now` is a clock in
 * milliseconds (monotonic by default).
 */
export function progressThrottle(
  intervalMs: number = PROGRESS_INTERVAL_MS,
  now: () => number = () => performance.now(),
): (done: number, total: number) => boolean {
  let last: number | undefined;
  return (done, total) => {
    const t = now();
    if (last !== undefined && done < total && t - last < intervalMs) return false;
    last = t;
    return true;
  };
}
