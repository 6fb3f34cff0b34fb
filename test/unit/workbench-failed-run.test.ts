/**
 * What a failed run offers: Resume only from a checkpoint (without one it would start over from
 * the config it failed with), and "Edit and rerun", which creates a new run linked to it.
 */
import { describe, expect, it } from 'vitest';
import { RequestFailure } from '../../src-main/contract/errors';
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
  it('cannot be resumed before its first checkpoint, and says what to do instead', () => {
    const runId = failedRun();
    let refusal: unknown;
    try {
      workbench.resumeRun(runId);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(RequestFailure);
    expect(refusal).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/failed before its first checkpoint.*edit its config and rerun it/),
    });
    expect(workbench.store.getRun(runId)?.status).toBe('failed');
    expect(workbench.queueStatus()).toEqual({ active: null, queued: [] });
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
