import * as tf from '@tensorflow/tfjs-core';
import { installReduceGradients } from './reduce-gradients';

/**
 * tfjs-core's Node build (dist/tf-core.node.js) carries no gradient definitions: without them
 * tf.grads fails with "gradient function not found for Sum" on every backend. Its ESM file that
 * registers them (dist/register_all_gradients.js) cannot be imported by Node (directory imports),
 * so the union package, whose Node build registers them into this same tfjs-core (and adds the
 * chained tensor methods), is loaded once for that side effect. It costs about half a second.
 */
export async function ensureGradientConfigs(): Promise<void> {
  if (tf.getGradient(tf.Conv2D) === undefined) {
    await import('@tensorflow/tfjs');
    if (tf.getGradient(tf.Conv2D) === undefined) {
      throw new Error('@tensorflow/tfjs loaded but registered no gradients with our @tensorflow/tfjs-core');
    }
  }
  installReduceGradients();
}
