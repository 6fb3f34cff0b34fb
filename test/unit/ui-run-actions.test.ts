import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../src-renderer/src/lib/api/contract';
import { runActions } from '../../src-renderer/src/lib/state/run-actions';

describe('the run page’s actions', () => {
  it('offers Resume only with a checkpoint to go on from', () => {
    for (const status of ['failed', 'cancelled', 'interrupted'] as const) {
      expect(runActions(status, 1).resume, status).toBe(true);
      expect(runActions(status, 0).resume, status).toBe(false);
    }
    for (const status of ['queued', 'running', 'completed'] as const) {
      expect(runActions(status, 3).resume, status).toBe(false);
    }
  });

  it('offers Edit and rerun for a failed run, with or without a checkpoint', () => {
    const statuses: RunStatus[] = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'];
    for (const status of statuses) {
      for (const checkpoints of [0, 2]) {
        expect(runActions(status, checkpoints).editAndRerun, status).toBe(status === 'failed');
      }
    }
    expect(runActions('failed', 0)).toEqual({ cancel: false, resume: false, editAndRerun: true });
    expect(runActions('running', 0)).toEqual({ cancel: true, resume: false, editAndRerun: false });
  });
});
