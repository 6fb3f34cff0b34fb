import type { LayerFactory } from './factory';
import type { InputShape } from './model';
import { SpikeResNet, type ResNetStages } from './resnet';

/**
 * ResNet-19 for CIFAR (`ResNet_19_cifar_CW`, the official default model; reference glif.md 7.3):
 * stem 3 -> 128, stages of 3, 3, 2 blocks with widths 128, 256, 512 and first strides 1, 2, 2.
 * CIFAR-10 at T=4: 12,749,824 parameters, 49,280 of them in 17 GLIF layers.
 */
export const RESNET19_STAGES: ResNetStages = {
  stem: 'cifar',
  stemWidth: 128,
  repeats: [3, 3, 2],
  widths: [128, 256, 512],
  strides: [1, 2, 2],
};

export class ResNet19 extends SpikeResNet {
  constructor(f: LayerFactory, inputShape: InputShape, numClasses: number, singleHead = false) {
    super(f, RESNET19_STAGES, inputShape, numClasses, 'resnet19', singleHead);
  }
}
