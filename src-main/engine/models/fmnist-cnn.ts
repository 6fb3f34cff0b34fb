import * as tf from '@tensorflow/tfjs-core';
import { AvgPool, type Linear } from '../nn/linear';
import { Module, Sequential, type ForwardContext } from '../nn/module';
import type { LayerFactory } from './factory';
import type { InputShape } from './model';
import { assertDivisible, convNorm, flattenRows } from './units';

/**
 * The benchmark CNN `fmnist-cnn` (shared/bench/README.md): conv3x3 1->32 + tdBN + GLIF + avgpool 2,
 * conv3x3 32->64 + tdBN + GLIF + avgpool 2, flatten, Linear 3136->10 with bias (28x28 input).
 * 51,338 parameters at T=4, 1,056 of them in the two GLIF layers.
 *
 * Names follow the CIFARNet convention: `features.{0..5}`, `classifier`.
 */
export class FmnistCnn extends Module {
  readonly features: Sequential;
  readonly classifier: Linear;

  constructor(f: LayerFactory, inputShape: InputShape, numClasses: number) {
    super();
    assertDivisible('fmnist-cnn', inputShape, 4);
    const [h, w, c] = inputShape;
    this.features = this.child(
      'features',
      new Sequential([
        convNorm(f, c, 32, 3, 1, 1),
        f.glif(32),
        new AvgPool(2),
        convNorm(f, 32, 64, 3, 1, 1),
        f.glif(64),
        new AvgPool(2),
      ]),
    );
    this.classifier = this.child('classifier', f.linear((h / 4) * (w / 4) * 64, numClasses, true));
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => this.classifier.forward(flattenRows(this.features.forward(x, ctx)), ctx));
  }
}
