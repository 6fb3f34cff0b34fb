import type { NewRunInput } from '../../src-main/runs/store';

/**
 * A run of the synthetic MLP preset as the store tests create it: the columns the runs table
 * needs, with the few values a test cares about set by the caller.
 */
export function syntheticRunInput(
  options: {
    epochs?: number;
    batchSize?: number;
    seed?: number;
    name?: string;
    config?: Record<string, unknown>;
  } = {},
): NewRunInput {
  const epochs = options.epochs ?? 3;
  return {
    ...(options.name === undefined ? {} : { name: options.name }),
    config: options.config ?? { epochs },
    columns: {
      dataset: 'synthetic',
      model: 'mlp',
      variant: 'glif',
      layerwise: false,
      timeSteps: 4,
      epochs,
      batchSize: options.batchSize ?? 8,
      lr: 0.1,
      seed: options.seed ?? 0,
    },
  };
}
