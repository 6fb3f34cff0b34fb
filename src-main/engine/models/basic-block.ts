import * as tf from '@tensorflow/tfjs-core';
import { type GlifLayer } from '../glif/layer';
import { type TdBatchNorm } from '../glif/tdbn';
import { type Conv2d } from '../nn/conv2d';
import { Module, Sequential, type ForwardContext } from '../nn/module';
import type { LayerFactory } from './factory';

export interface BasicBlockOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
}

/**
 * The official `BasicBlock_CW` (reference glif.md section 7.2), with its module names:
 *   body:       0 = conv3x3(stride) + tdBN(1), 1 = GLIF, 2 = conv3x3 + tdBN(1/sqrt2)
 *   downsample: tdBN(1/sqrt2) on the identity (still normalised) or conv1x1(stride) + tdBN(1/sqrt2)
 *   out = lif(body + downsample)
 */
export class BasicBlock extends Module {
  readonly body: Sequential;
  readonly downsample: Module;
  readonly lif: GlifLayer;

  constructor(f: LayerFactory, o: BasicBlockOptions) {
    super();
    const residual = Math.SQRT1_2;
    this.body = this.child(
      'body',
      new Sequential([
        new Sequential([f.conv(o.inChannels, o.outChannels, 3, o.stride, 1), f.norm(o.outChannels, 1)]),
        f.glif(o.outChannels),
        new Sequential([f.conv(o.outChannels, o.outChannels, 3, 1, 1), f.norm(o.outChannels, residual)]),
      ]),
    );
    const projection = o.inChannels !== o.outChannels || o.stride !== 1;
    this.downsample = this.child(
      'downsample',
      new Sequential(
        projection
          ? [
              new Sequential([
                f.conv(o.inChannels, o.outChannels, 1, o.stride, 0),
                f.norm(o.outChannels, residual),
              ]),
            ]
          : [f.norm(o.outChannels, residual)],
      ),
    );
    this.lif = this.child('lif', f.glif(o.outChannels));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() =>
      this.lif.forward(tf.add(this.body.forward(x, ctx), this.downsample.forward(x, ctx)), ctx),
    );
  }
}

export type { Conv2d, TdBatchNorm };
