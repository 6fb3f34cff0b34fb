import * as tf from '@tensorflow/tfjs-core';
import { Module, type ForwardContext, type SynapticInput } from './module';

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
  /** What the layer receives (energy estimate); spikes unless the model says otherwise. */
  readonly input?: SynapticInput;
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
  readonly input: SynapticInput;

  constructor(options: Conv2dOptions) {
    super();
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
    this.inChannels = options.inChannels;
    this.outChannels = options.outChannels;
    this.kernel = options.kernel;
    this.input = options.input ?? 'spikes';
    this.weight = this.param(
      'weight',
      options.init([options.kernel, options.kernel, options.inChannels, options.outChannels]),
    );
    if (options.bias) this.bias = this.param('bias', tf.zeros([options.outChannels]));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    if (ctx.recorder?.synapticInput) {
      const [rows, h, w] = x.shape;
      const out = (size: number) => Math.floor((size + 2 * this.padding - this.kernel) / this.stride) + 1;
      ctx.recorder.synapticInput(this.path, x, {
        input: this.input,
        fanOut: (this.outChannels * this.kernel * this.kernel) / (this.stride * this.stride),
        macs: rows * out(h) * out(w) * this.outChannels * this.inChannels * this.kernel * this.kernel,
      });
    }
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
