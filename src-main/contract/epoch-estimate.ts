import { z } from 'zod';
import { BACKEND_NAMES } from './backends';
import { configValuesSchema } from './config';

/**
 * How long an epoch of a run would take here, measured before the run is created
 * (engine/train/epoch-probe.ts): a few training steps of the run's network on its backend.
 */
export interface EpochEstimate {
  /** Training samples in an epoch (the split, within data.trainLimit). */
  readonly trainSamples: number;
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  readonly epochs: number;
  /** Measured: seconds of one training step per sample, forward, backward and update. */
  readonly secondsPerSample: number;
  readonly epochSeconds: number;
  readonly backend: string;
  /** Samples in each timed step. */
  readonly probeBatch: number;
  /** Why a whole batch would not fit this backend's memory; null when it fits or is not known. */
  readonly memoryNote: string | null;
}

/** Answer of `runs.estimate`. */
export interface EpochEstimateAnswer {
  /** Whether a run of these values is estimated before it starts (engine/train/epoch-gate.ts). */
  readonly needed: boolean;
  readonly estimate: EpochEstimate | null;
  /** The estimate in words, as the CLI prints it. */
  readonly message: string | null;
  /** Whether the run starts only once the user has said so (`runs.create`'s acceptEpochEstimate). */
  readonly mustConfirm: boolean;
}

export const runsEstimateParams = z.strictObject({
  preset: z.string().min(1).max(100),
  values: configValuesSchema.default({}),
  backend: z.enum(BACKEND_NAMES).optional(),
});
