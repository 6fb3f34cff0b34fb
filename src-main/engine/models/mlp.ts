import * as tf from '@tensorflow/tfjs-core';
import type { Linear } from '../nn/linear';
import { Module, Sequential, type ForwardContext } from '../nn/module';
import type { LayerFactory } from './factory';
import type { InputShape } from './model';
import { assertPositiveShape, flattenRows } from './units';

export interface MlpOptions {
  readonly inputShape: InputShape;
  readonly numClasses: number;
  /** Widths of the spiking hidden layers, input side first. */
  readonly hidden: readonly number[];
  /**
   * tdBN over the features before each GLIF layer (default true). Without it the static-model
   * Linear init (normal, std 0.01) leaves most inputs far below the 0.5 threshold, so few
   * neurons ever fire and learning barely starts.
   */
  readonly norm?: boolean;
}

/**
 * A small fully connected SNN (not in the paper): flatten, then per hidden layer Linear (no bias,
 * the norm's bias takes its place) + tdBN + channel-wise GLIF over the features, then a Linear
 * classifier with bias. Names: `features.{i}.{0 linear, 1 norm, 2 glif}`, `classifier`.
 */
export class Mlp extends Module {
  readonly features: Sequential;
  readonly classifier: Linear;

  constructor(f: LayerFactory, o: MlpOptions) {
    super();
    assertPositiveShape('mlp', o.inputShape);
    if (!o.hidden.every((n) => Number.isInteger(n) && n > 0)) {
      throw new Error(`mlp: hidden sizes must be positive integers, got [${o.hidden.join(', ')}]`);
    }
    const norm = o.norm ?? true;
    let inF = o.inputShape[0] * o.inputShape[1] * o.inputShape[2];
    const layers: Module[] = [];
    for (const width of o.hidden) {
      layers.push(
        new Sequential(
          norm
            ? [f.linear(inF, width, false), f.norm(width, 1), f.glif(width)]
            : [f.linear(inF, width, true), f.glif(width)],
        ),
      );
      inF = width;
    }
    this.features = this.child('features', new Sequential(layers));
    this.classifier = this.child('classifier', f.linear(inF, o.numClasses, true));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => this.classifier.forward(this.features.forward(flattenRows(x), ctx), ctx));
  }
}
