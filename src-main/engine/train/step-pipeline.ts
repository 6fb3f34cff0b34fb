/**
 * The training steps of an epoch, in order, with the next step sent off before the current one
 * is awaited when the steps run elsewhere (the replica threads of a data-parallel run).
 *
 * Between two steps the leader reports the finished one, yields to its event loop, cuts the next
 * batch and posts it; the replicas, waiting for it, sat idle 2.3-4 ms of every 110 ms fmnist-cnn
 * step on 2 threads (measured in the replicas: from their reply to the next step's arrival).
 * With the next step already queued behind the current one, a replica starts it the moment it
 * replies. The idle time per step does not shrink with more threads while the step does (16
 * replicas share the same batch), so this matters more the more cores train.
 *
 * Nothing changes in what is computed: the steps run one after another in the same order with the
 * same batches and learning rates; only their posting moves earlier. When the caller stops (a
 * cancel, a failed step, a non-finite loss), a step already queued is waited for (not recorded),
 * so no replica is left mid-step.
 */
import type { Batch } from '../data/dataset';
import type { StepResult } from './train-step';

export interface FinishedStep {
  readonly batch: Batch;
  readonly lr: number;
  readonly result: StepResult;
  /**
   * Seconds the step took as the trainer sees it: from its start, or from the previous step's
   * result when it was queued behind that one, to its own result.
   */
  readonly seconds: number;
}

export interface StepPipelineOptions {
  /**
   * Starts one step. With depth 2 it must only send the step off (ReplicaPool.step posts its
   * messages before its first await); with depth 1 it may do the work itself.
   */
  readonly start: (batch: Batch, lr: number) => Promise<StepResult>;
  /** Steps started before the oldest is awaited: 1, one at a time; 2, the next one queued. */
  readonly depth: 1 | 2;
  /** The learning rate of the i-th step of this pipeline (0 is its first). */
  readonly lrAt: (i: number) => number;
  /** Asked before each step starts; false starts no more (a cancel). */
  readonly mayStart: () => boolean;
}

interface Started {
  readonly batch: Batch;
  readonly lr: number;
  readonly result: Promise<StepResult>;
  readonly startedAt: number;
}

export async function* pipelinedSteps(
  batches: AsyncIterable<Batch>,
  opts: StepPipelineOptions,
): AsyncGenerator<FinishedStep, void, undefined> {
  const source = batches[Symbol.asyncIterator]();
  const queued: Started[] = [];
  let index = 0;
  let exhausted = false;
  let lastEnd = 0;
  const fill = async (): Promise<void> => {
    while (!exhausted && queued.length < opts.depth && opts.mayStart()) {
      const next = await source.next();
      if (next.done) {
        exhausted = true;
        return;
      }
      const lr = opts.lrAt(index++);
      const startedAt = performance.now();
      const result = opts.start(next.value, lr);
      // Awaited in its turn; until then a failure must not count as unhandled.
      result.catch(() => undefined);
      queued.push({ batch: next.value, lr, result, startedAt });
    }
  };
  try {
    await fill();
    while (queued.length > 0) {
      const head = queued[0];
      const result = await head.result;
      queued.shift();
      const end = performance.now();
      const seconds = (end - Math.max(head.startedAt, lastEnd)) / 1000;
      lastEnd = end;
      // Queue the next step before the caller spends time on this one (one at a time, the next
      // step would run here, before this one is reported).
      if (opts.depth > 1) await fill();
      yield { batch: head.batch, lr: head.lr, result, seconds };
      await fill();
    }
  } finally {
    for (const step of queued.splice(0)) await step.result.catch(() => undefined);
    await source.return?.();
  }
}
