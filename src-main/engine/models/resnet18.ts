import type { LayerFactory } from './factory';
import type { InputShape } from './model';
import { SpikeResNet, type ResNetStages } from './resnet';

/**
 * ResNet-18 for CIFAR (`ResNet_18_stand_CW`, `--stand18`; reference glif.md 7.4): stem 3 -> 64,
 * four stages of 2 blocks, widths 64, 128, 256, 512, first strides 1, 1, 2, 2 (not the usual
 * 1, 2, 2, 2: section 9.9). CIFAR-10 at T=4: 11,347,456 parameters, 42,944 in 17 GLIF layers.
 */
export const RESNET18_STAGES: ResNetStages = {
  stem: 'cifar',
  stemWidth: 64,
  repeats: [2, 2, 2, 2],
  widths: [64, 128, 256, 512],
  strides: [1, 1, 2, 2],
};

export class ResNet18 extends SpikeResNet {
  constructor(f: LayerFactory, inputShape: InputShape, numClasses: number, singleHead = false) {
    super(f, RESNET18_STAGES, inputShape, numClasses, 'resnet18', singleHead);
  }
}
