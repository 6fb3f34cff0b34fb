import * as tf from '@tensorflow/tfjs-core';
import { unaryCustomGrad } from './custom-grad';

/**
 * A spike function: Heaviside forward, a surrogate derivative backward.
 * Injected into the neuron so other surrogates can be compared without touching the step.
 */
export type SpikeFn = (z: tf.Tensor) => tf.Tensor;

/** Widths of the rectangles made here, so the fused neuron (fused.ts) can run the same surrogate. */
const rectangleWidths = new WeakMap<SpikeFn, number>();

/** The total width if `spike` is a rectangular surrogate from `rectangularSurrogate`, else undefined. */
export function rectangleWidthOf(spike: SpikeFn): number | undefined {
  return rectangleWidths.get(spike);
}

/**
 * The official surrogate (reference glif.md section 3): S = 1[z > 0] (strict, so z == 0 gives
 * no spike) and dS/dz = 1[|z| < width/2] / width, a rectangle of total area 1 centred on the
 * threshold. The authors use width 1 (height 1). The width does not scale with V_th.
 */
export function rectangularSurrogate(width = 1): SpikeFn {
  if (!(width > 0)) throw new Error(`surrogate width must be > 0, got ${width}`);
  const half = width / 2;
  const height = 1 / width;
  const spike = unaryCustomGrad((z, save) => {
    save([z]);
    return {
      value: tf.cast(tf.greater(z, 0), 'float32'),
      gradFunc: (dy, saved) => {
        const window = tf.cast(tf.less(tf.abs(saved[0]), half), 'float32');
        return height === 1 ? tf.mul(dy, window) : tf.mul(tf.mul(dy, window), height);
      },
    };
  });
  rectangleWidths.set(spike, width);
  return spike;
}

/** The default spike of every GLIF layer: the authors' rectangle of width 1. */
export const spikeRect: SpikeFn = rectangularSurrogate(1);
