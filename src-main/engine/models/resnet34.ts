import type { LayerFactory } from './factory';
import type { InputShape } from './model';
import { SpikeResNet, type ResNetStages } from './resnet';

/**
 * ResNet-34 for ImageNet, the paper's ImageNet ResNet row (`ResNet_34_stand_CW`, chosen by
 * `--imagenet --channel-wise` without `--MS18`, in the authors' networks_for_ImageNet.py):
 *   conv1     = [conv7x7 (in -> 64), stride 2, padding 1 (224 -> 110), no max-pool, + tdBN, GLIF(64)]
 *   features  = 16 spike-shortcut BasicBlocks (the CIFAR ResNets' block), 3, 4, 6, 3 per stage,
 *               widths 64, 128, 256, 512, stride 2 at every stage start, the first stage included
 *               (110 -> 55 -> 28 -> 14 -> 7)
 *   globalave = global average pool of the last block's spikes
 *   lastave   = one Linear 512 -> classes without bias, whatever the class count (the authors' class
 *               has no `n_class > 50` test; `model.head=by-classes` gives the CIFAR ResNets' rule)
 * 33 GLIF layers; 21,890,304 parameters at T=4 with 1000 classes.
 */
export const RESNET34_STAGES: ResNetStages = {
  stem: 'imagenet',
  stemWidth: 64,
  repeats: [3, 4, 6, 3],
  widths: [64, 128, 256, 512],
  strides: [2, 2, 2, 2],
};

export class ResNet34 extends SpikeResNet {
  constructor(f: LayerFactory, inputShape: InputShape, numClasses: number, singleHead = true) {
    super(f, RESNET34_STAGES, inputShape, numClasses, 'resnet34', singleHead);
  }
}
