import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext } from './module';

export interface Conv2dOptions {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly stride?: number;
  /** Symmetric zero padding in pixels (PyTorch's `padding=`), not TF's 'same'. */
  readonly padding?: number;
  readonly bias?: boolean;
  /** Initial kernel, [kh, kw, in, out] (HWIO). */
  readonly init: (shape: [number, number, number, number]) => tf.Tensor;
}

/**
 * NHWC convolution with PyTorch-style symmetric padding. TF's 'same' pads asymmetrically for
 * stride 2 on even sizes, which would shift every downsampling layer by a pixel.
 */
export class Conv2d extends Module {
  readonly weight: tf.Variable;
  readonly bias?: tf.Variable;
  readonly stride: number;
  readonly padding: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;

  constructor(options: Conv2dOptions) {
    super();
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    this.inChannels = options.inChannels;
    this.outChannels = options.outChannels;
    this.kernel = options.kernel;
    this.weight = this.param(
      'weight',
      options.init([options.kernel, options.kernel, options.inChannels, options.outChannels]),
    );
    if (options.bias) this.bias = this.param('bias', tf.zeros([options.outChannels]));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    ctx.recorder?.synapticInput?.(
      this.path,
      x,
      (this.outChannels * this.kernel * this.kernel) / (this.stride * this.stride),
    );
    return conv2dSymmetric(
      x as tf.Tensor4D,
      this.weight as tf.Tensor4D,
      this.stride,
      this.padding,
      this.bias,
    );
  }
}

export function conv2dSymmetric(
  x: tf.Tensor4D,
  weight: tf.Tensor4D,
  stride: number,
  padding: number,
  bias?: tf.Tensor,
): tf.Tensor4D {
  return tf.tidy(() => {
    // A numeric padding is symmetric, as PyTorch's, and goes to the kernel itself: padding the
    // input first cost a copy of every activation and, in the backward pass, a Slice of its gradient.
    const y = tf.conv2d(x, weight, stride, padding);
    return bias ? tf.add(y, bias) : y;
  });
}
