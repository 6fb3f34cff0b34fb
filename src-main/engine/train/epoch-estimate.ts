/**
 * How long an epoch takes here, said early: ImageNet-scale presets are meant for the torch engine
 * on several GPUs, and on the workbench's own engine an epoch can take days. Said twice: before a
 * run on an image folder is created (epoch-probe.ts measures it; the CLI and the New-run form show
 * it and, where mustConfirmEstimate says so, start the run only when the user agrees), and again
 * after the run's first few steps, from its own wall time per step (data loading included, the
 * first step, which compiles kernels, left out), as a warning when an epoch takes over an hour.
 */
import type { EpochEstimate } from '../../contract/epoch-estimate';
import { findPreset } from '../config/presets';
import type { RunConfig } from '../config/types';

/** Steps timed before the estimate. */
export const ESTIMATE_AFTER_STEPS = 3;
/** An epoch longer than this is worth a warning. */
export const LONG_EPOCH_SECONDS = 3600;

export interface EpochTiming {
  readonly stepsPerEpoch: number;
  readonly secondsPerStep: number;
  /** Epochs still to train, this one included. */
  readonly epochsLeft: number;
  readonly backend: string;
  readonly threads: number;
}

/** "3 d 4 h", "5 h 12 min", "7 min": the two largest units. */
export function roughDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min`;
  return `${s} s`;
}

/** The warning for a long epoch, or null when an epoch is short enough to need none. */
export function longEpochWarning(t: EpochTiming): string | null {
  const epoch = t.stepsPerEpoch * t.secondsPerStep;
  if (!(epoch > LONG_EPOCH_SECONDS)) return null;
  return (
    `an epoch of this run takes about ${roughDuration(epoch)} here ` +
    `(${t.stepsPerEpoch.toLocaleString('en')} steps of ${t.secondsPerStep.toFixed(2)} s on ${t.backend}, ` +
    `${t.threads} thread${t.threads === 1 ? '' : 's'}), the ${t.epochsLeft} epoch${t.epochsLeft === 1 ? '' : 's'} ` +
    `left about ${roughDuration(epoch * t.epochsLeft)}. Runs this size are meant for the torch engine ` +
    `on GPUs (engine.name=torch, engine.processes = GPUs); cancel this one to switch, or let it go on.`
  );
}

/**
 * Whether a run is estimated before it starts: a run on an image folder (ImageNet, or a user's
 * own images) on the workbench's engine, where an epoch can take from minutes to days. The torch
 * engine is left to its GPUs; the other datasets are small.
 */
export function estimateNeeded(config: RunConfig): boolean {
  return config.engine.name === 'tfjs' && config.data.dataset === 'image-folder';
}

/** Whether the run's preset is one of the paper's rows made for several GPUs (its engine: torch on 2+ processes). */
export function meantForGpus(config: RunConfig): boolean {
  const engine = (config.preset ? findPreset(config.preset) : undefined)?.config.engine;
  return engine !== undefined && engine.name === 'torch' && engine.processes > 1;
}

/**
 * Whether the run starts only once the user has seen the estimate and said so: a preset made for
 * GPUs put on this engine, or any epoch longer than LONG_EPOCH_SECONDS.
 */
export function mustConfirmEstimate(config: RunConfig, estimate: EpochEstimate): boolean {
  return meantForGpus(config) || !(estimate.epochSeconds <= LONG_EPOCH_SECONDS);
}

/** The estimate in words: the CLI prints it, the New-run form shows it before Start. */
export function epochEstimateMessage(config: RunConfig, e: EpochEstimate): string {
  const sentences = [
    `An epoch of this run would take about ${roughDuration(e.epochSeconds)} here, ` +
      `${e.epochs} epoch${e.epochs === 1 ? '' : 's'} about ${roughDuration(e.epochSeconds * e.epochs)}: ` +
      `${e.trainSamples.toLocaleString('en')} training samples in ${e.stepsPerEpoch.toLocaleString('en')} step${e.stepsPerEpoch === 1 ? '' : 's'} of ${e.batchSize}, ` +
      `at ${e.secondsPerSample.toFixed(e.secondsPerSample < 0.1 ? 4 : 2)} s per sample, measured on ${e.backend} ` +
      `over steps of ${e.probeBatch} on one thread (more threads shorten it; preparing the data is not included).`,
  ];
  if (e.memoryNote) sentences.push(`It would not start as set: ${e.memoryNote}.`);
  if (meantForGpus(config))
    sentences.push(
      "This preset is the paper's multi-GPU row: it is meant for the torch engine on GPUs " +
        '(engine.name=torch, engine.processes = GPUs).',
    );
  else if (!(e.epochSeconds <= LONG_EPOCH_SECONDS))
    sentences.push('Runs this size are meant for the torch engine on GPUs (engine.name=torch).');
  return sentences.join(' ');
}
