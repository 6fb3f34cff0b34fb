/**
 * Which actions the run page offers for a run, from its status and its checkpoints. Pure, so that
 * the rule is unit-tested under Node.
 */
import type { RunStatus } from '../api/contract';

export interface RunActions {
  /** It is queued or training. */
  readonly cancel: boolean;
  /** It ended early and has a checkpoint to go on from (without one, Resume starts it over). */
  readonly resume: boolean;
  /** It failed: its config opens in the New run form, and Start creates a new run linked to it. */
  readonly editAndRerun: boolean;
}

const ENDED_EARLY: readonly RunStatus[] = ['failed', 'cancelled', 'interrupted'];

export function runActions(status: RunStatus, checkpoints: number): RunActions {
  return {
    cancel: status === 'queued' || status === 'running',
    resume: ENDED_EARLY.includes(status) && checkpoints > 0,
    editAndRerun: status === 'failed',
  };
}
