/**
 * What a training run reports while it runs. The trainer only emits these; the run manager
 * stores them and forwards them to the UI. Plain JSON data.
 */
import type { DistributionQuantity } from '../../contract/distributions';
import type { ResolvedNeuronImpl } from '../glif/impl';

export type { DistributionQuantity };

/**
 * Equal-width bins: `counts[i]` covers [lo + i*w, lo + (i+1)*w) with w = (hi - lo) / counts.length,
 * the last bin closed. lo == hi (one bin) when all values were equal. Runs recorded before the
 * bins were chosen from the data hold lo = 0, hi = 1 and 20 bins: the same shape, still readable.
 */
export interface Histogram {
  readonly lo: number;
  readonly hi: number;
  readonly counts: number[];
}

export interface SummaryStats {
  readonly count: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly p05: number;
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
  readonly p95: number;
}

export interface LayerDistribution {
  /** The GLIF layer's module path, e.g. `layer1.0.lif`. */
  readonly layer: string;
  readonly quantity: DistributionQuantity;
  readonly stats: SummaryStats;
  readonly histogram: Histogram;
}

export interface FinalMetrics {
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly trainAccuracy: number;
  readonly trainLoss: number;
}

export interface RunStartedEvent {
  readonly type: 'started';
  readonly backend: string;
  /** Threads training runs on: data-parallel replicas on wasm/cpu, 1 on the native backends. */
  readonly threads: number;
  /** The GLIF neuron implementation the model was built with (runNeuronImpl), or the torch engine's. */
  readonly neuronImpl: ResolvedNeuronImpl | 'torch';
  readonly startEpoch: number;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly trainSize: number;
  readonly testSize: number;
  readonly parameters: { readonly total: number; readonly glif: number; readonly glifLayers: number };
  readonly layers: readonly string[];
}

export interface StepEvent {
  readonly type: 'step';
  readonly epoch: number;
  /** Global step (0-based) over the whole run. */
  readonly step: number;
  /** Step within the epoch (0-based) and the number of steps of the epoch. */
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly lr: number;
  readonly samplesPerSecond: number;
  readonly etaSeconds: number;
}

export interface EpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly step: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly testLoss: number;
  readonly testAccuracy: number;
  /** Mean spikes per neuron per time step of each GLIF layer on the test set. */
  readonly firingRates: Readonly<Record<string, number>>;
  /** Synaptic operations per test sample, where layers receive spikes (energy.ts). */
  readonly sopsPerSample: number;
  /** Multiply-accumulates per test sample, where layers receive real values (energy.ts). */
  readonly macsPerSample: number;
  readonly distributions: readonly LayerDistribution[];
  readonly seconds: number;
  /**
   * tf.memory().numTensors at the end of the epoch: flat across epochs when nothing leaks.
   * The tfjs engine's; absent from the torch engine's epochs.
   */
  readonly numTensors?: number;
}

export interface CheckpointEvent {
  readonly type: 'checkpoint';
  readonly epoch: number;
  readonly step: number;
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface LogEvent {
  readonly type: 'log';
  readonly level: 'info' | 'warn';
  readonly message: string;
  /** Set on the reports of a dataset's slow preparation (decoding images, converting events). */
  readonly preparing?: PreparingProgress;
}

/** A dataset's preparation as it travels (data/dataset.ts's PrepareProgress without the file). */
export interface PreparingProgress {
  readonly split: 'train' | 'test';
  readonly phase: 'cached' | 'convert' | 'done';
  readonly done: number;
  readonly total: number;
  /** Why the cache had to be (re)built (first 'convert' report of a split). */
  readonly reason?: string;
}

/**
 * A dataset's preparation in words, as a log event: the CLI prints the message, the run page shows
 * the progress. Reported at most about once a second by the caches that prepare.
 */
export function preparingEvent(p: PreparingProgress & { readonly file?: string }): LogEvent {
  const split = `${p.split} split`;
  const message =
    p.phase === 'cached'
      ? `preparing data: ${split}, ${p.total.toLocaleString('en')} found in the cache`
      : p.phase === 'done'
        ? `preparing data: ${split} ready, ${p.total.toLocaleString('en')} converted into the cache`
        : `preparing data: ${split}, ${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')} converted` +
          (p.reason ? ` (the cache is rebuilt: ${p.reason})` : '');
  const { file: _file, ...preparing } = p;
  return { type: 'log', level: 'info', message, preparing };
}

export type TrainEvent = RunStartedEvent | StepEvent | EpochEvent | CheckpointEvent | LogEvent;

export type EventSink = (event: TrainEvent) => void;

export type TrainStatus = 'completed' | 'cancelled' | 'failed';

export interface TrainOutcome {
  readonly status: TrainStatus;
  readonly final?: FinalMetrics;
  readonly error?: string;
  readonly epochsDone: number;
  readonly seconds: number;
}
