/**
 * How far a running run has got, from the events it pushes (`run.started`, `run.step`,
 * `run.epoch`). Tables show it until the run ends and its final numbers are stored.
 */
import type { EventMap } from '../api/contract';

export interface RunProgress {
  /** 0-based epoch being trained, and the run's number of epochs. */
  readonly epoch: number;
  readonly epochs: number;
  /** Share of the whole run done, 0..1. */
  readonly fraction: number;
  /** Test accuracy, firing rates and SOPs of the last finished epoch, if any. */
  readonly testAccuracy: number | null;
  readonly firingRates: Readonly<Record<string, number>> | null;
  readonly sopsPerSample: number | null;
}

export function startedProgress(
  event: EventMap['run.started'],
  previous: RunProgress | undefined,
): RunProgress {
  return {
    epoch: event.startEpoch,
    epochs: event.epochs,
    fraction: event.epochs > 0 ? event.startEpoch / event.epochs : 0,
    testAccuracy: previous?.testAccuracy ?? null,
    firingRates: previous?.firingRates ?? null,
    sopsPerSample: previous?.sopsPerSample ?? null,
  };
}

export function steppedProgress(
  event: EventMap['run.step'],
  previous: RunProgress | undefined,
  fallbackEpochs: number | null,
): RunProgress {
  const epochs = previous?.epochs ?? fallbackEpochs ?? event.epoch + 1;
  const withinEpoch = event.stepsPerEpoch > 0 ? (event.stepInEpoch + 1) / event.stepsPerEpoch : 0;
  return {
    epoch: event.epoch,
    epochs,
    fraction: clamp01((event.epoch + withinEpoch) / Math.max(epochs, 1)),
    testAccuracy: previous?.testAccuracy ?? null,
    firingRates: previous?.firingRates ?? null,
    sopsPerSample: previous?.sopsPerSample ?? null,
  };
}

export function epochProgress(
  event: EventMap['run.epoch'],
  previous: RunProgress | undefined,
  fallbackEpochs: number | null,
): RunProgress {
  const epochs = previous?.epochs ?? fallbackEpochs ?? event.epoch + 1;
  return {
    epoch: event.epoch,
    epochs,
    fraction: clamp01((event.epoch + 1) / Math.max(epochs, 1)),
    testAccuracy: event.testAccuracy,
    firingRates: event.firingRates,
    sopsPerSample: event.sopsPerSample,
  };
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
