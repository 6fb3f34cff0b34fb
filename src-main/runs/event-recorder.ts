import type { EpochEvent, StepEvent, TrainEvent } from '../engine/train/events';
import type { CheckpointInput, MetricPointInput, RunStoreWriter } from './store/types';

/**
 * Turns one run's training events into store writes. Metric points are queued (the store
 * batches them into transactions); epoch boundaries flush, so a crash loses at most the steps
 * since the last epoch or batch flush.
 *
 * The trainer reports an epoch's checkpoint before that epoch's summary. Resume starts after the
 * latest checkpoint on record, so a checkpoint recorded on its own, followed by a crash before
 * the summary, would lose that epoch's summary for good. The checkpoint is therefore held until
 * its epoch's summary has been queued, and both are written in one transaction.
 */
export class RunEventRecorder {
  private heldCheckpoint: CheckpointInput | null = null;

  constructor(
    private readonly store: RunStoreWriter,
    private readonly runId: string,
  ) {}

  record(event: TrainEvent): void {
    const { store, runId } = this;
    switch (event.type) {
      case 'step':
        store.appendMetrics(stepPoints(runId, event));
        return;
      case 'epoch': {
        store.appendMetrics(epochPoints(runId, event));
        store.putDistributions(
          event.distributions.map((d) => ({
            runId,
            epoch: event.epoch,
            layer: d.layer,
            quantity: d.quantity,
            stats: { ...d.stats },
            histogram: { ...d.histogram, counts: [...d.histogram.counts] },
          })),
        );
        const checkpoint = this.heldCheckpoint;
        this.heldCheckpoint = null;
        if (checkpoint !== null && checkpoint.epoch === event.epoch) store.addCheckpoint(checkpoint);
        else store.flush();
        return;
      }
      case 'checkpoint':
        // A checkpoint whose summary never comes (the worker died in between) is never recorded:
        // resume then starts from the one before and trains that epoch again.
        this.heldCheckpoint = {
          runId,
          epoch: event.epoch,
          step: event.step,
          path: event.path,
          sha256: event.sha256,
          bytes: event.bytes,
        };
        return;
      case 'started':
        store.setThreads(runId, event.threads);
        return;
      case 'log':
        return;
    }
  }
}

function stepPoints(runId: string, e: StepEvent): MetricPointInput[] {
  const p = (name: string, value: number) => ({ runId, step: e.step, epoch: e.epoch, name, value });
  return [
    p('train/loss', e.loss),
    p('train/batch_accuracy', e.accuracy),
    p('lr', e.lr),
    p('samples_per_s', e.samplesPerSecond),
  ];
}

function epochPoints(runId: string, e: EpochEvent): MetricPointInput[] {
  const p = (name: string, value: number) => ({ runId, step: e.step, epoch: e.epoch, name, value });
  return [
    p('epoch/train_loss', e.trainLoss),
    p('epoch/train_accuracy', e.trainAccuracy),
    p('epoch/test_loss', e.testLoss),
    p('epoch/test_accuracy', e.testAccuracy),
    p('epoch/sops_per_sample', e.sopsPerSample),
    p('epoch/seconds', e.seconds),
    p('epoch/num_tensors', e.numTensors),
    ...Object.entries(e.firingRates).map(([layer, rate]) => p(`firing_rate/${layer}`, rate)),
  ];
}
