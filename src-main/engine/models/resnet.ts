import * as tf from '@tensorflow/tfjs-core';
import { GlobalAvgPool } from '../nn/linear';
import { Module, Sequential, type ForwardContext } from '../nn/module';
import { BasicBlock } from './basic-block';
import type { LayerFactory } from './factory';
import type { InputShape } from './model';
import { assertPositiveShape, convNorm, imagenetStem, resnetHead } from './units';

/** The `stage_repeats` / `stage_out_channels` / `stage_stride` triple of the official ResNets. */
export interface ResNetStages {
  /** `cifar`: conv3x3 stride 1; `imagenet`: conv7x7 stride 2 (units.ts imagenetStem). */
  readonly stem: 'cifar' | 'imagenet';
  readonly stemWidth: number;
  readonly repeats: readonly number[];
  readonly widths: readonly number[];
  readonly strides: readonly number[];
}

/**
 * The shape shared by the official spike-shortcut ResNets (`ResNet_19_cifar_CW`,
 * `ResNet_18_stand_CW`, `ResNet_34_stand_CW`):
 *   conv1     = [conv3x3 (in -> stem) + tdBN, GLIF(stem)], or the ImageNet stem
 *   features  = BasicBlock_CW list; the first block of a stage takes the stage stride
 *   globalave = global average pool, per step
 *   lastave   = resnetHead (512 -> 256 -> classes, or 512 -> classes above 50 classes or with
 *               `singleHead`)
 */
export class SpikeResNet extends Module {
  readonly conv1: Sequential;
  readonly features: Sequential;
  readonly globalave: GlobalAvgPool;
  readonly lastave: Sequential;

  constructor(
    f: LayerFactory,
    stages: ResNetStages,
    inputShape: InputShape,
    numClasses: number,
    arch: string,
    /** One Linear head whatever the class count (resnetHead). */
    singleHead = false,
  ) {
    super();
    assertPositiveShape(arch, inputShape);
    const { stemWidth, repeats, widths, strides } = stages;
    if (repeats.length !== widths.length || repeats.length !== strides.length) {
      throw new Error(`${arch}: stage repeats, widths and strides must have the same length`);
    }
    this.conv1 = this.child(
      'conv1',
      stages.stem === 'imagenet'
        ? imagenetStem(f, arch, inputShape, stemWidth)
        : new Sequential([convNorm(f, inputShape[2], stemWidth, 3, 1, 1), f.glif(stemWidth)]),
    );
    const blocks: BasicBlock[] = [];
    let inC = stemWidth;
    repeats.forEach((n, stage) => {
      for (let i = 0; i < n; i++) {
        blocks.push(
          new BasicBlock(f, {
            inChannels: inC,
            outChannels: widths[stage],
            stride: i === 0 ? strides[stage] : 1,
          }),
        );
        inC = widths[stage];
      }
    });
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
