import * as tf from '@tensorflow/tfjs-core';
import { AvgPool } from '../nn/linear';
import { Module, Sequential, type ForwardContext } from '../nn/module';
import type { LayerFactory } from './factory';
import type { InputShape } from './model';
import { assertDivisible, convNorm, flattenRows } from './units';

/** The official `arch` list: conv widths, 'A' = AvgPool 2. */
const CIFARNET_CFG: ReadonlyArray<number | 'A'> = [128, 256, 'A', 512, 'A', 1024, 512];

/**
 * CIFARNet (`--cifarnet`, reference glif.md section 7.5): five conv3x3 + tdBN + GLIF units with two
 * average pools, flatten (512*8*8 for 32x32 input), then three bare linears 32768 -> 1024 -> 512 ->
 * classes with no bias and no neurons between them. 5 GLIF layers.
 *
 * Names as `networks_for_CIFAR.CIFARNet`: `features.{i}` in the make_layer order (conv-norm pair,
 * GLIF, pool...), `classifier.{0,1,2}`.
 */
export class CifarNet extends Module {
  readonly features: Sequential;
  readonly classifier: Sequential;

  constructor(f: LayerFactory, inputShape: InputShape, numClasses: number) {
    super();
    assertDivisible('cifarnet', inputShape, 4);
    const [h, w, c] = inputShape;
    const layers: Module[] = [];
    let inC = c;
    let pools = 0;
    for (const v of CIFARNET_CFG) {
      if (v === 'A') {
        layers.push(new AvgPool(2));
        pools++;
      } else {
        layers.push(convNorm(f, inC, v, 3, 1, 1), f.glif(v));
        inC = v;
      }
    }
    this.features = this.child('features', new Sequential(layers));
    const scale = 2 ** pools;
    const flat = inC * (h / scale) * (w / scale);
    this.classifier = this.child(
      'classifier',
      // No neuron between the linears: the second and third get real values (energy estimate).
      new Sequential([
        f.linear(flat, 1024),
        f.linear(1024, 512, false, 'real'),
        f.linear(512, numClasses, false, 'real'),
      ]),
    );
  }

  forward(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    return tf.tidy(() => this.classifier.forward(flattenRows(this.features.forward(x, ctx)), ctx));
  }
}
