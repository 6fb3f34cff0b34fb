import * as tf from '@tensorflow/tfjs-core';
import { GlobalAvgPool } from '../nn/linear';
import { Module, Sequential, type ForwardContext } from '../nn/module';
import type { LayerFactory } from './factory';
import { MsBasicBlock } from './ms-block';
import type { InputShape } from './model';
import { imagenetStem, resnetHead } from './units';

const WIDTHS = [64, 128, 256, 512] as const;
const BLOCKS_PER_STAGE = 2;
const STAGE_STRIDE = 2;

/**
 * MS-ResNet-18 for ImageNet (`ResNet_18_stand_CW_MS`, `--MS18`; reference glif.md 7.6):
 *   conv1     = [conv7x7 (in -> 64), stride 2, padding 1 (224 -> 110), no max-pool, + tdBN, GLIF(64)]
 *   features  = 8 membrane-shortcut blocks, widths 64, 128, 256, 512, stride 2 at every stage start
 *               (110 -> 55 -> 28 -> 14 -> 7)
 *   globalave = global average pool over the real-valued last block output
 *   lastave   = Linear 512 -> classes without bias (512 -> 256 -> classes at 50 classes or fewer)
 * 17 GLIF layers. Multi-GPU ImageNet runs replaced every tdBN by plain BN (section 7.6); build the
 * factory with `plainNorm` to reproduce that.
 */
export class MsResNet18 extends Module {
  readonly conv1: Sequential;
  readonly features: Sequential;
  readonly globalave: GlobalAvgPool;
  readonly lastave: Sequential;

  constructor(f: LayerFactory, inputShape: InputShape, numClasses: number, singleHead = false) {
    super();
    this.conv1 = this.child('conv1', imagenetStem(f, 'ms-resnet18', inputShape));
    const blocks: MsBasicBlock[] = [];
    let inC = 64;
    for (const width of WIDTHS) {
      for (let i = 0; i < BLOCKS_PER_STAGE; i++) {
        blocks.push(
          new MsBasicBlock(
            f,
            { inChannels: inC, outChannels: width, stride: i === 0 ? STAGE_STRIDE : 1 },
            blocks.length === 0 ? 'spikes' : 'real',
          ),
        );
        inC = width;
      }
    }
    this.features = this.child('features', new Sequential(blocks));
    this.globalave = this.child('globalave', new GlobalAvgPool());
    // The pooled last block output is real-valued: the head multiplies (energy estimate).
    this.lastave = this.child('lastave', resnetHead(f, inC, numClasses, singleHead, 'real'));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => {
      const membrane = this.features.forward(this.conv1.forward(x, ctx), ctx);
      return this.lastave.forward(this.globalave.forward(membrane), ctx);
    });
  }
}
