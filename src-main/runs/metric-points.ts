import type { EpochMetricName, MetricPointWire, StepMetricName } from '../contract/metrics';
import { energyMicrojoules } from '../engine/train/energy';
import type { EpochEvent, StepEvent } from '../engine/train/events';

/**
 * Training events as metric points, in one place: the recorder stores these and glif serve or the
 * desktop main process sends the same points with each live event, so a series has one name and
 * one value whether it is read live or from the database. `recordedAt` is stamped by the caller
 * when the event arrives (the recorder and the live event each stamp their own, a moment apart).
 */
export function stepMetricPoints(e: Omit<StepEvent, 'type'>, recordedAt: number): MetricPointWire[] {
  const p = (name: StepMetricName, value: number) => ({
    name,
    step: e.step,
    epoch: e.epoch,
    value,
    recordedAt,
  });
  return [
    p('train/loss', e.loss),
    p('train/batch_accuracy', e.accuracy),
    p('lr', e.lr),
    p('samples_per_s', e.samplesPerSecond),
  ];
}

export function epochMetricPoints(e: Omit<EpochEvent, 'type'>, recordedAt: number): MetricPointWire[] {
  const p = (name: EpochMetricName, value: number) => ({
    name,
    step: e.step,
    epoch: e.epoch,
    value,
    recordedAt,
  });
  return [
    p('epoch/train_loss', e.trainLoss),
    p('epoch/train_accuracy', e.trainAccuracy),
    p('epoch/test_loss', e.testLoss),
    p('epoch/test_accuracy', e.testAccuracy),
    p('epoch/sops_per_sample', e.sopsPerSample),
    p('epoch/macs_per_sample', e.macsPerSample),
    p('epoch/energy_uj_per_sample', energyMicrojoules({ sops: e.sopsPerSample, macs: e.macsPerSample })),
    p('epoch/seconds', e.seconds),
    ...(e.numTensors === undefined ? [] : [p('epoch/num_tensors', e.numTensors)]),
    ...Object.entries(e.firingRates).map(([layer, rate]) => p(`firing_rate/${layer}`, rate)),
  ];
}
