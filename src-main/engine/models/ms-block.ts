import * as tf from '@tensorflow/tfjs-core';
import { Module, Sequential, type ForwardContext, type SynapticInput } from '../nn/module';
import type { LayerFactory } from './factory';
import type { BasicBlockOptions } from './basic-block';
import { convNorm } from './units';

/**
 * The official `BasicBlock_CW_MS` (membrane shortcut, pre-activation; reference glif.md 7.6):
 *   body:       0 = GLIF(in), 1 = conv3x3(stride) + tdBN(1), 2 = GLIF(out), 3 = conv3x3 + tdBN(1/sqrt2)
 *   downsample: tdBN(1/sqrt2) on the identity, or conv1x1(stride) + tdBN(1/sqrt2)
 *   out = body + downsample, real-valued: no neuron after the sum, the next block's body.0 fires.
 * The shortcut carries the membrane-like input itself, not spikes.
 */
export class MsBasicBlock extends Module {
  readonly body: Sequential;
  readonly downsample: Sequential;

  /**
   * `input`: what the block receives. The first block gets the stem's spikes, every later one the
   * real-valued sum of the block before, which the projection shortcut convolves as it is.
   */
  constructor(f: LayerFactory, o: BasicBlockOptions, input: SynapticInput) {
    super();
    const residual = Math.SQRT1_2;
    this.body = this.child(
      'body',
      new Sequential([
        f.glif(o.inChannels),
        convNorm(f, o.inChannels, o.outChannels, 3, o.stride, 1),
        f.glif(o.outChannels),
        convNorm(f, o.outChannels, o.outChannels, 3, 1, 1, residual),
      ]),
    );
    const projection = o.inChannels !== o.outChannels || o.stride !== 1;
    this.downsample = this.child(
      'downsample',
      new Sequential(
        projection
          ? [convNorm(f, o.inChannels, o.outChannels, 1, o.stride, 0, residual, input)]
          : [f.norm(o.outChannels, residual)],
      ),
    );
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => tf.add(this.body.forward(x, ctx), this.downsample.forward(x, ctx)));
  }
}
