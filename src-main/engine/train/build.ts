import type { RunConfig } from '../config/types';
import type { DatasetInfo } from '../data/dataset';
import { resolveNeuronImpl, type GlifNeuronImpl, type ResolvedNeuronImpl } from '../glif/impl';
import { glifInit } from '../glif/init';
import { rectangularSurrogate, type Surrogate } from '../glif/surrogate';
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

/** The surrogate every GLIF layer of the run uses. */
export function runSurrogate(config: RunConfig): Surrogate {
  return rectangularSurrogate(config.neuron.surrogateWidth);
}

/**
 * The neuron implementation a run trains with on `backend`: decided once, here, so that the
 * leader, its replicas and the run's record all name the same one.
 */
export function runNeuronImpl(
  config: RunConfig,
  requested: GlifNeuronImpl,
  backend: string,
): ResolvedNeuronImpl {
  return resolveNeuronImpl(requested, runSurrogate(config).kind === 'rectangle', backend);
}

/**
 * The run's network, with weights drawn from `rng` (so the seed fixes them), its GLIF layers
 * and tdBN running `impl` (runNeuronImpl).
 */
export function buildRunModel(
  config: RunConfig,
  data: DatasetInfo,
  rng: Rng,
  impl: ResolvedNeuronImpl,
): Model {
  const factory = createLayerFactory({
    T: config.model.timeSteps,
    spec: neuronSpecOf(config),
    init: glifInit(config.neuron.init, config.neuron.gateRange),
    rng,
    weightInit: config.model.weightInit,
    plainNorm: plainNorm(config),
    surrogate: runSurrogate(config),
    impl,
  });
  return buildModel(config.model.arch, {
    factory,
    numClasses: data.numClasses,
    inputShape: [...data.inputShape],
    mlpHidden: [...config.model.mlpHidden],
    singleHead: singleResNetHead(config),
  });
}

/**
 * Whether the model normalises with plain BatchNorm instead of tdBN (config.model.norm): the DVS
 * model always did (reference 7.7); the authors' multi-GPU ImageNet runs did through SyncBN (7.6).
 */
export function plainNorm(config: RunConfig): boolean {
  switch (config.model.norm) {
    case 'plain':
      return true;
    case 'tdbn':
      return false;
    case 'official':
      return config.model.arch === 'wide7b';
  }
}

/**
 * Whether a ResNet ends in one Linear whatever its class count (config.model.head): the
 * authors' ResNet-34 always does, and so do their layer-wise and GLIF_f ResNet-18 (reference 7.3,
 * the `_softsimple` twins).
 */
export function singleResNetHead(config: RunConfig): boolean {
  switch (config.model.head) {
    case 'single':
      return true;
    case 'by-classes':
      return false;
    case 'official':
      return (
        config.model.arch === 'resnet34' ||
        (config.model.arch === 'resnet18' && (config.neuron.layerwise || config.neuron.variant === 'glif-f'))
      );
  }
}
