/**
 * Fault injection for the kill suite (test/integration/kill-suite.test.ts), off unless the
 * environment asks for it. A kill from outside at a random time almost never lands inside a
 * checkpoint write (microseconds on a tiny model), so the suite names the moment instead:
 *
 *   GLIF_KILL_AT=<point>:<n>[:parent]
 *
 * SIGKILLs the training process, or with `:parent` the process that records the run (the
 * `glif train` CLI or `glif serve`), the n-th time (1-based) training reaches <point>:
 *
 * - `started`: the model is built and the data opened, before the started event is sent
 * - `step`: a training step is done and reported
 * - `evaluate`: between two test batches of an epoch's evaluation
 * - `checkpoint-write`: the temporary checkpoint file is written and synced, not yet renamed
 * - `checkpoint-renamed`: the checkpoint is under its final name, not yet reported
 *
 * SIGKILL cannot be caught, so what follows is exactly what a crash or `kill -9` leaves.
 */
export type FaultPoint = 'started' | 'step' | 'evaluate' | 'checkpoint-write' | 'checkpoint-renamed';

interface FaultPlan {
  readonly point: FaultPoint;
  readonly nth: number;
  readonly target: 'self' | 'parent';
}

const POINTS: readonly FaultPoint[] = [
  'started',
  'step',
  'evaluate',
  'checkpoint-write',
  'checkpoint-renamed',
];

/** The plan in GLIF_KILL_AT, or null; a malformed value is an error (a test that kills nothing would pass). */
export function parseFaultPlan(value: string | undefined): FaultPlan | null {
  if (value === undefined || value === '') return null;
  const [point, nth, target = 'self'] = value.split(':');
  const n = Number(nth);
  if (
    !POINTS.includes(point as FaultPoint) ||
    !Number.isInteger(n) ||
    n < 1 ||
    !['self', 'parent'].includes(target)
  )
    throw new Error(`GLIF_KILL_AT: expected <${POINTS.join('|')}>:<n>[:parent], got '${value}'`);
  return { point: point as FaultPoint, nth: n, target: target as FaultPlan['target'] };
}

let plan: FaultPlan | null | undefined;
let reached = 0;

/** Called by training at each point; kills as planned, else does nothing. */
export function faultPoint(point: FaultPoint): void {
  if (plan === undefined) plan = parseFaultPlan(process.env.GLIF_KILL_AT);
  if (plan === null || plan.point !== point) return;
  reached++;
  if (reached !== plan.nth) return;
  process.kill(plan.target === 'parent' ? process.ppid : process.pid, 'SIGKILL');
}
