import * as tf from '@tensorflow/tfjs-core';
import { GlobalAvgPool } from '../nn/linear';
import { Module, Sequential, type ForwardContext } from '../nn/module';
import { BasicBlock } from './basic-block';
import type { LayerFactory } from './factory';
import type { InputShape } from './model';
import { imagenetStem, resnetHead } from './units';

/** Blocks per stage and widths of the standard ResNet-34. */
const STAGES = [
  { blocks: 3, width: 64 },
  { blocks: 4, width: 128 },
  { blocks: 6, width: 256 },
  { blocks: 3, width: 512 },
] as const;
const STAGE_STRIDE = 2;

/**
 * ResNet-34 for ImageNet, the paper's ImageNet ResNet row (`ResNet_34_stand_CW`, chosen by
 * `--imagenet --channel-wise` without `--MS18`, in the authors' networks_for_ImageNet.py):
 *   conv1     = [conv7x7 (in -> 64), stride 2, padding 1 (224 -> 110), no max-pool, + tdBN, GLIF(64)]
 *   features  = 16 spike-shortcut BasicBlocks (basic-block.ts, the same block as the CIFAR ResNets),
 *               3, 4, 6, 3 per stage, widths 64, 128, 256, 512, stride 2 at every stage start,
 *               the first stage included (110 -> 55 -> 28 -> 14 -> 7)
 *   globalave = global average pool of the last block's spikes
 *   lastave   = one Linear 512 -> classes without bias, whatever the class count (the authors' class
 *               has no `n_class > 50` test; `model.head=by-classes` gives the CIFAR ResNets' rule)
 * 33 GLIF layers.
 */
export class ResNet34 extends Module {
  readonly conv1: Sequential;
  readonly features: Sequential;
  readonly globalave: GlobalAvgPool;
  readonly lastave: Sequential;

  constructor(f: LayerFactory, inputShape: InputShape, numClasses: number, singleHead = true) {
    super();
    this.conv1 = this.child('conv1', imagenetStem(f, 'resnet34', inputShape));
    const blocks: BasicBlock[] = [];
    let inC = 64;
    for (const stage of STAGES) {
      for (let i = 0; i < stage.blocks; i++) {
        const stride = i === 0 ? STAGE_STRIDE : 1;
        blocks.push(new BasicBlock(f, { inChannels: inC, outChannels: stage.width, stride }));
        inC = stage.width;
      }
    }
    this.features = this.child('features', new Sequential(blocks));
    this.globalave = this.child('globalave', new GlobalAvgPool());
    this.lastave = this.child('lastave', resnetHead(f, inC, numClasses, singleHead));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => {
      const spikes = this.features.forward(this.conv1.forward(x, ctx), ctx);
      return this.lastave.forward(this.globalave.forward(spikes), ctx);
    });
  }
}
