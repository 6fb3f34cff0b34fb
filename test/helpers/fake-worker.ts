/**
 * A training worker without TensorFlow.js: it sends the trainer's message sequence (started,
 * steps, checkpoint, epoch, ..., done) with made-up, deterministic numbers, one message per
 * event-loop turn as a real worker's IPC would. For tests of what the run manager records.
 */
import path from 'node:path';
import type { TrainEvent } from '../../src-main/engine/train/events';
import type { WorkerHandle, WorkerLauncher } from '../../src-main/runs/worker/launch';
import type { FromWorker, ToWorker } from '../../src-main/runs/worker/protocol';

export interface FakeTrainingOptions {
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** Awaited before each message is sent (say, until another process holds a lock). */
  readonly beforeMessage?: (message: FromWorker) => Promise<void> | void;
  /** Called after the manager has handled each message (say, to kill the process right there). */
  readonly afterMessage?: (message: FromWorker) => void;
  /**
   * Gets what the manager's message handler threw; the fake then exits (code 1), so that the
   * test ends at once. By default the error is thrown again outside, as an IPC handler's would
   * be (which crashes the process).
   */
  readonly onHandlerError?: (error: unknown) => void;
}

/** The test accuracy the fake reports for an epoch, so that a test can check every epoch's summary. */
export function fakeTestAccuracy(epoch: number): number {
  return 0.5 + epoch / 100;
}

/** What the trainer resumes from: the epoch after the checkpoint's (`epoch-0002.ckpt` is epoch 1's). */
function startEpochOf(resumeFrom: { path: string } | undefined): number {
  if (resumeFrom === undefined) return 0;
  const match = /epoch-(\d+)\.ckpt$/.exec(path.basename(resumeFrom.path));
  if (match === null) throw new Error(`fake worker: not a checkpoint path: ${resumeFrom.path}`);
  return Number(match[1]);
}

function messagesFor(start: Extract<ToWorker, { type: 'start' }>, o: FakeTrainingOptions): FromWorker[] {
  const events: TrainEvent[] = [];
  const startEpoch = startEpochOf(start.resumeFrom);
  events.push({
    type: 'started',
    backend: 'fake',
    threads: 1,
    neuronImpl: 'ops',
    startEpoch,
    epochs: o.epochs,
    stepsPerEpoch: o.stepsPerEpoch,
    trainSize: o.stepsPerEpoch * 8,
    testSize: 8,
    parameters: { total: 1, glif: 1, glifLayers: 1 },
    layers: ['fc1.lif'],
  });
  for (let epoch = startEpoch; epoch < o.epochs; epoch++) {
    let step = epoch * o.stepsPerEpoch;
    for (let i = 0; i < o.stepsPerEpoch; i++, step++) {
      events.push({
        type: 'step',
        epoch,
        step,
        stepInEpoch: i,
        stepsPerEpoch: o.stepsPerEpoch,
        loss: 1 / (step + 1),
        accuracy: 0.5,
        lr: 0.1,
        samplesPerSecond: 100,
        etaSeconds: 1,
      });
    }
    const file = path.join(start.checkpointDir, `epoch-${String(epoch + 1).padStart(4, '0')}.ckpt`);
    // The trainer's order: the checkpoint is written and reported, then the epoch's summary.
    events.push({ type: 'checkpoint', epoch, step, path: file, sha256: 'c'.repeat(64), bytes: 1 });
    events.push({
      type: 'epoch',
      epoch,
      step,
      lr: 0.1,
      trainLoss: 0.5,
      trainAccuracy: 0.5,
      testLoss: 0.5,
      testAccuracy: fakeTestAccuracy(epoch),
      firingRates: { 'fc1.lif': 0.1 },
      sopsPerSample: 100,
      macsPerSample: 50,
      distributions: [],
      seconds: 0.01,
      numTensors: 1,
    });
  }
  const final = {
    testAccuracy: fakeTestAccuracy(o.epochs - 1),
    testLoss: 0.5,
    trainAccuracy: 0.5,
    trainLoss: 0.5,
  };
  return [
    ...events.map((event): FromWorker => ({ type: 'event', event })),
    { type: 'done', outcome: { status: 'completed', final, epochsDone: o.epochs, seconds: 0.1 } },
  ];
}

export function fakeWorkerLauncher(options: FakeTrainingOptions): WorkerLauncher {
  return () => {
    let onMessage: (message: FromWorker) => void = () => {};
    let onExit: (code: number | null, signal: string | null) => void = () => {};
    let killed = false;
    const handle: WorkerHandle = {
      send(message) {
        if (message.type !== 'start') return;
        const queue = messagesFor(message, options);
        const next = async (): Promise<void> => {
          if (killed) return;
          const m = queue.shift();
          if (m === undefined) {
            onExit(0, null);
            return;
          }
          await options.beforeMessage?.(m);
          try {
            onMessage(m);
          } catch (error) {
            if (options.onHandlerError) {
              options.onHandlerError(error);
              onExit(1, null);
            } else
              setImmediate(() => {
                throw error;
              });
            return;
          }
          options.afterMessage?.(m);
          setImmediate(() => void next());
        };
        setImmediate(() => void next());
      },
      onMessage: (h) => (onMessage = h),
      onExit: (h) => (onExit = h),
      kill() {
        killed = true;
        setImmediate(() => onExit(null, 'SIGKILL'));
      },
    };
    return handle;
  };
}
