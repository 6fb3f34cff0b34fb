import * as tf from '@tensorflow/tfjs-core';
import { AvgPool, type Linear } from '../nn/linear';
import { Module, Sequential, type ForwardContext } from '../nn/module';
import type { LayerFactory } from './factory';
import type { InputShape } from './model';
import { assertPositiveShape, convNormGlif, flattenRows, outputSize } from './units';

/**
 * SEW block with ADD connection (`SEWBlock_GLIF`, connect_f 'ADD'): two conv3x3 + BN + GLIF units
 * whose output spikes are added to the block input, so values can exceed 1 after a few blocks.
 */
export class SewBlock extends Module {
  readonly conv: Sequential;

  constructor(f: LayerFactory, channels: number, midChannels = channels) {
    super();
    this.conv = this.child(
      'conv',
      new Sequential([convNormGlif(f, channels, midChannels, 3), convNormGlif(f, midChannels, channels, 3)]),
    );
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => tf.add(this.conv.forward(x, ctx), x));
  }
}

interface StageCfg {
  readonly channels: number;
  readonly pool: boolean;
}

/** `SEWResNet_GLIF_dsr`'s layer_list: one SEW block each, up-projection by a 1x1 unit. */
const WIDE7B_CFG: readonly StageCfg[] = [
  { channels: 64, pool: false },
  { channels: 64, pool: false },
  { channels: 64, pool: false },
  { channels: 64, pool: true },
  { channels: 128, pool: true },
  { channels: 128, pool: true },
  { channels: 128, pool: true },
];

/**
 * 7B-wideNet for CIFAR10-DVS (`cifar10dvs/smodels.SEWResNet_GLIF_dsr`, ADD; reference glif.md 7.7):
 *   conv = [1x1 unit 2 -> 64, SEW(64) x3, SEW(64), pool, 1x1 unit 64 -> 128, SEW(128), pool,
 *           SEW(128), pool, SEW(128), pool]   (units: conv + plain BatchNorm2d + GLIF)
 *   out  = Linear 1152 -> classes with bias (48x48 input -> 128 x 3 x 3)
 * The official model averages the flattened features over T and then applies `out`; here `out`
 * runs per step and the Model averages the logits, the same value since `out` is affine.
 * Build the factory with `plainNorm`, the 'dvs' GLIF init and 'torch-default' weights.
 */
export class Wide7B extends Module {
  readonly conv: Sequential;
  readonly out: Linear;

  constructor(f: LayerFactory, inputShape: InputShape, numClasses: number) {
    super();
    assertPositiveShape('wide7b', inputShape);
    let [h, w, inC] = inputShape;
    const layers: Module[] = [];
    for (const cfg of WIDE7B_CFG) {
      if (inC !== cfg.channels) layers.push(convNormGlif(f, inC, cfg.channels, 1));
      inC = cfg.channels;
      layers.push(new SewBlock(f, inC));
      if (cfg.pool) {
        layers.push(new AvgPool(2));
        h = outputSize(h, 2, 2, 0);
        w = outputSize(w, 2, 2, 0);
      }
    }
    if (h < 1 || w < 1)
      throw new Error(`wide7b: input ${inputShape[0]}x${inputShape[1]} is too small (four 2x2 pools)`);
    this.conv = this.child('conv', new Sequential(layers));
    this.out = this.child('out', f.linear(inC * h * w, numClasses, true));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => this.out.forward(flattenRows(this.conv.forward(x, ctx)), ctx));
  }
}
