import type { RunConfig } from '../config/types';
import type { DatasetInfo } from '../data/dataset';
import { glifInit } from '../glif/init';
import { rectangularSurrogate } from '../glif/surrogate';
import { parseVariantId, type NeuronSpec } from '../glif/variants';
import { createLayerFactory } from '../models/factory';
import type { Model } from '../models/model';
import { buildModel } from '../models/registry';
import type { Rng } from '../random';

export function neuronSpecOf(config: RunConfig): NeuronSpec {
  return {
    variant: parseVariantId(config.neuron.variant),
    layerwise: config.neuron.layerwise,
    reset: config.neuron.reset,
  };
}

/** The run's network, with weights drawn from `rng` (so the seed fixes them). */
export function buildRunModel(config: RunConfig, data: DatasetInfo, rng: Rng): Model {
  const factory = createLayerFactory({
    T: config.model.timeSteps,
    spec: neuronSpecOf(config),
    init: glifInit(config.neuron.init, config.neuron.gateRange),
    rng,
    weightInit: config.model.weightInit,
    // The DVS model uses standard BatchNorm2d, not tdBN (reference 7.7).
    plainNorm: config.model.arch === 'wide7b',
    surrogate: rectangularSurrogate(config.neuron.surrogateWidth),
  });
  return buildModel(config.model.arch, {
    factory,
    numClasses: data.numClasses,
    inputShape: [...data.inputShape],
    mlpHidden: [...config.model.mlpHidden],
  });
}
