import type { RunConfig } from '../engine/config/types';
import type { RunConfigColumns } from './store/types';

/** The indexed hyperparameter columns of a run, from its config. */
export function configColumns(config: RunConfig): RunConfigColumns {
  return {
    dataset: config.data.dataset,
    model: config.model.arch,
    variant: config.neuron.variant,
    layerwise: config.neuron.layerwise,
    timeSteps: config.model.timeSteps,
    epochs: config.train.epochs,
    batchSize: config.train.batchSize,
    lr: config.train.lr,
    seed: config.train.seed,
  };
}
