/**
 * The run lifecycle's one table (contract/run-status.ts), and the store and the run manager
 * following it. The table is spelled out again here on purpose: a transition added to it (say,
 * completed → running) must be a deliberate change to this test too.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  canFollow,
  RESUMABLE_RUN_STATUSES,
  RUN_STATUS_TRANSITIONS,
  RUN_STATUSES,
  statusesBefore,
  TERMINAL_RUN_STATUSES,
  type RunStatus,
} from '../../src-main/contract/run-status';
import { resumeRefusal } from '../../src-main/runs/manager';
import { RunStoreError } from '../../src-main/runs/store/errors';
import { RunStore } from '../../src-main/runs/store/run-store';
import { syntheticRunInput } from '../helpers/run-input';

const ALLOWED: ReadonlyArray<readonly [RunStatus, RunStatus]> = [
  ['queued', 'running'],
  ['queued', 'cancelled'],
  ['queued', 'failed'],
  ['running', 'completed'],
  ['running', 'failed'],
  ['running', 'cancelled'],
  ['running', 'interrupted'],
  ['failed', 'running'],
  ['cancelled', 'running'],
  ['interrupted', 'running'],
];

const allPairs = RUN_STATUSES.flatMap((from) => RUN_STATUSES.map((to) => [from, to] as const));
const allowed = (from: RunStatus, to: RunStatus) => ALLOWED.some(([f, t]) => f === from && t === to);

describe('the run-status transition table', () => {
  it('allows exactly the listed moves and nothing else', () => {
    const fromTable = allPairs.filter(([from, to]) => canFollow(from, to));
    expect(fromTable).toEqual(allPairs.filter(([from, to]) => allowed(from, to)));
  });

  it('forbids the moves that would corrupt a run', () => {
    for (const to of RUN_STATUSES) expect(canFollow('completed', to)).toBe(false);
    for (const from of RUN_STATUSES) expect(canFollow(from, 'queued')).toBe(false);
    expect(canFollow('queued', 'completed')).toBe(false);
    expect(canFollow('queued', 'interrupted')).toBe(false);
    for (const from of TERMINAL_RUN_STATUSES)
      for (const to of TERMINAL_RUN_STATUSES) expect(canFollow(from, to)).toBe(false);
  });

  it('names every status once and derives the resumable ones from it', () => {
    expect(Object.keys(RUN_STATUS_TRANSITIONS).sort()).toEqual([...RUN_STATUSES].sort());
    expect(RESUMABLE_RUN_STATUSES).toEqual(['failed', 'cancelled', 'interrupted']);
    expect(statusesBefore('running')).toEqual(['queued', ...RESUMABLE_RUN_STATUSES]);
  });

  it('is what the run manager asks before a resume', () => {
    for (const status of RUN_STATUSES) {
      expect(resumeRefusal({ id: 'r1', status }) === null).toBe(RESUMABLE_RUN_STATUSES.includes(status));
    }
    expect(resumeRefusal({ id: 'r1', status: 'completed' })).toBe(
      'run r1 is completed; only a failed, cancelled or interrupted run can be resumed',
    );
  });
});

describe('the store follows the table', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-transitions-'));
  const store = RunStore.open(path.join(dir, 'runs.sqlite'));
  afterAll(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const start = { pid: process.pid, backend: 'cpu' };

  function runIn(status: RunStatus): string {
    const id = store.createRun(syntheticRunInput()).id;
    if (status === 'queued') return id;
    store.markRunning(id, start);
    if (status !== 'running') store.finishRun(id, { status });
    return id;
  }

  /** Tries every store write that could move the run to `to`; true when one did. */
  function tryMove(id: string, to: RunStatus): boolean {
    const attempts: Array<() => unknown> =
      to === 'running'
        ? [() => store.markRunning(id, start), () => store.resumeRun(id, { ...start, fromEpoch: -1 })]
        : to === 'queued'
          ? []
          : [() => store.finishRun(id, { status: to })];
    for (const attempt of attempts) {
      try {
        attempt();
        return store.getRun(id)!.status === to;
      } catch (error) {
        expect(error).toBeInstanceOf(RunStoreError);
        expect((error as RunStoreError).code).toBe('invalid_transition');
      }
    }
    return false;
  }

  it.each(allPairs)('%s → %s', (from, to) => {
    const id = runIn(from);
    expect(store.getRun(id)!.status).toBe(from);
    expect(tryMove(id, to)).toBe(canFollow(from, to));
  });

  it('marks only running runs of dead processes interrupted', () => {
    const ids = Object.fromEntries(RUN_STATUSES.map((status) => [status, runIn(status)]));
    // Every process counts as dead: only the table decides which runs move.
    const interrupted = store.markStaleRunningAsInterrupted(() => false);
    for (const status of RUN_STATUSES) {
      expect(interrupted.includes(ids[status])).toBe(canFollow(status, 'interrupted'));
    }
  });
});
