/**
 * What a failed run offers on the main side: resume (from its last checkpoint, or over from its
 * config when it has none) and a rerun with edits, which creates a new run linked to it.
 */
import { describe, expect, it } from 'vitest';
import { testWorkbench } from '../helpers/workbench';

const workbench = testWorkbench();

function failedRun(): string {
  const run = workbench.createRun({
    preset: 'synthetic-mlp',
    values: {},
    name: 'fails at once',
    start: false,
  });
  workbench.store.finishRun(run.id, { status: 'failed', error: 'out of memory' });
  return run.id;
}

describe('a failed run', () => {
  it('resumed before its first checkpoint, starts over: its worker may have crashed, not its config', () => {
    // The kill suite resumes runs whose worker was killed at start-up; the run page offers
    // Resume only from a checkpoint and Edit and rerun for a failed run (ui-run-actions.test.ts).
    const runId = failedRun();
    workbench.resumeRun(runId);
    const queue = workbench.queueStatus();
    expect([queue.active, ...queue.queued]).toContain(runId);
  });

  it('edited and rerun, becomes a new run that names it as its parent', () => {
    const parent = failedRun();
    const rerun = workbench.createRun({
      preset: 'synthetic-mlp',
      values: { 'train.epochs': 2 },
      name: 'fails at once, edited',
      start: false,
      parentRunId: parent,
    });
    expect(rerun.id).not.toBe(parent);
    expect(rerun.parentRunId).toBe(parent);
    expect(workbench.getRun(rerun.id).run).toMatchObject({ parentRunId: parent, status: 'queued' });
    expect(workbench.store.getRun(parent)?.status).toBe('failed');
  });

  it('a rerun of a run that does not exist is refused', () => {
    expect(() =>
      workbench.createRun({
        preset: 'synthetic-mlp',
        values: {},
        start: false,
        parentRunId: 'r000000000nothere',
      }),
    ).toThrow(/no run/);
  });
});
