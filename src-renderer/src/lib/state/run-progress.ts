/**
 * How far a running run has got: first as the store recorded it (`runs.list`, whenever the page
 * was opened), then moved on by the events it pushes (`run.started`, `run.step`, `run.epoch`).
 * Tables show it until the run ends and its final numbers are stored. The epoch count is the
 * run's own (its stored config), so the epoch shown never passes it.
 */
import type { EventMap, RunSummary } from '../api/contract';

export interface RunProgress {
  /** 0-based epoch being trained, and the run's number of epochs. */
  readonly epoch: number;
  readonly epochs: number;
  /** Share of the whole run done, 0..1. */
  readonly fraction: number;
  /** Test accuracy, firing rates and energy estimate of the last finished epoch, if any. */
  readonly testAccuracy: number | null;
  readonly firingRates: Readonly<Record<string, number>> | null;
  readonly sopsPerSample: number | null;
  readonly macsPerSample: number | null;
  /** From the epoch's `epoch/energy_uj_per_sample` point: the main side holds the per-op energies. */
  readonly energyMicrojoules: number | null;
}

/** A running run's progress as stored, before any event of it came; null when it has no epoch count. */
export function storedProgress(run: RunSummary): RunProgress | null {
  const epochs = run.columns.epochs;
  if (epochs === null || epochs <= 0) return null;
  const done = Math.min(Math.max(run.progress.epochsDone, 0), epochs);
  return {
    // The epoch being trained: the one after those done (the last one once all are).
    epoch: lastEpoch(done, epochs),
    epochs,
    fraction: done / epochs,
    testAccuracy: run.progress.latestTestAccuracy,
    firingRates: null,
    sopsPerSample: null,
    macsPerSample: null,
    energyMicrojoules: null,
  };
}

export function startedProgress(
  event: EventMap['run.started'],
  previous: RunProgress | undefined,
): RunProgress {
  return {
    epoch: lastEpoch(event.startEpoch, event.epochs),
    epochs: event.epochs,
    fraction: event.epochs > 0 ? clamp01(event.startEpoch / event.epochs) : 0,
    testAccuracy: previous?.testAccuracy ?? null,
    firingRates: previous?.firingRates ?? null,
    sopsPerSample: previous?.sopsPerSample ?? null,
    macsPerSample: previous?.macsPerSample ?? null,
    energyMicrojoules: previous?.energyMicrojoules ?? null,
  };
}

export function steppedProgress(
  event: EventMap['run.step'],
  previous: RunProgress | undefined,
  runEpochCount: number | null,
): RunProgress {
  const epochs = runEpochs(previous, runEpochCount, event.epoch);
  const withinEpoch = event.stepsPerEpoch > 0 ? (event.stepInEpoch + 1) / event.stepsPerEpoch : 0;
  return {
    epoch: lastEpoch(event.epoch, epochs),
    epochs,
    fraction: clamp01((event.epoch + withinEpoch) / Math.max(epochs, 1)),
    testAccuracy: previous?.testAccuracy ?? null,
    firingRates: previous?.firingRates ?? null,
    sopsPerSample: previous?.sopsPerSample ?? null,
    macsPerSample: previous?.macsPerSample ?? null,
    energyMicrojoules: previous?.energyMicrojoules ?? null,
  };
}

export function epochProgress(
  event: EventMap['run.epoch'],
  previous: RunProgress | undefined,
  runEpochCount: number | null,
): RunProgress {
  const epochs = runEpochs(previous, runEpochCount, event.epoch);
  return {
    epoch: lastEpoch(event.epoch, epochs),
    epochs,
    fraction: clamp01((event.epoch + 1) / Math.max(epochs, 1)),
    testAccuracy: event.testAccuracy,
    firingRates: event.firingRates,
    sopsPerSample: event.sopsPerSample,
    macsPerSample: event.macsPerSample,
    energyMicrojoules: event.points.find((p) => p.name === 'epoch/energy_uj_per_sample')?.value ?? null,
  };
}

/** The run's epoch count: its stored one first, which an event cannot change. */
function runEpochs(previous: RunProgress | undefined, runEpochCount: number | null, epoch: number): number {
  return runEpochCount ?? previous?.epochs ?? epoch + 1;
}

/** A 0-based epoch, within the run's `epochs`. */
function lastEpoch(epoch: number, epochs: number): number {
  return Math.max(0, Math.min(epoch, epochs - 1));
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
