import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext, type SynapticInput } from './module';

export interface LinearOptions {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias?: boolean;
  /** Initial weight, [in, out]. */
  readonly init: (shape: [number, number]) => tf.Tensor;
  readonly biasInit?: (shape: [number]) => tf.Tensor;
  /** What the layer receives (energy estimate); spikes unless the model says otherwise. */
  readonly input?: SynapticInput;
}

/** y = x W + b on the last axis; any leading axes (time folded into batch included). */
export class Linear extends Module {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;

  constructor(readonly options: LinearOptions) {
    super();
    this.weight = this.param('weight', options.init([options.inFeatures, options.outFeatures]));
    if (options.bias) {
      this.bias = this.param(
        'bias',
        options.biasInit ? options.biasInit([options.outFeatures]) : tf.zeros([options.outFeatures]),
      );
    }
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    ctx.recorder?.synapticInput?.(this.path, x, {
      input: this.options.input ?? 'spikes',
      fanOut: this.options.outFeatures,
      macs: x.size * this.options.outFeatures,
    });
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const flat = tf.reshape(x, [-1, this.options.inFeatures]) as tf.Tensor2D;
      let y: tf.Tensor = tf.matMul(flat, this.weight as tf.Tensor2D);
      if (this.bias) y = tf.add(y, this.bias);
      return tf.reshape(y, [...lead, this.options.outFeatures]);
    });
  }
}

/** Flattens everything after the (folded) batch axis. */
export class Flatten extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.reshape(x, [x.shape[0], -1]);
  }
}

/** kxk average pooling with stride k, NHWC. */
export class AvgPool extends Module {
  constructor(readonly size: number) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.avgPool(x as tf.Tensor4D, this.size, this.size, 'valid');
  }
}

/** Mean over the spatial axes: [M, H, W, C] -> [M, C]. */
export class GlobalAvgPool extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.mean(x, [1, 2]);
  }
}
