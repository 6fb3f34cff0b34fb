import * as tf from '@tensorflow/tfjs-core';
import { unaryCustomGrad } from './custom-grad';

/**
 * A spike function: Heaviside forward, a surrogate derivative backward.
 * Injected into the neuron so other surrogates can be compared without touching the step.
 */
export type SpikeFn = (z: tf.Tensor) => tf.Tensor;

/**
 * A surrogate as a value: its spike function and what it is. The fused neuron (fused.ts) runs
 * its own loops instead of `fn`, so it must be told the shape of the derivative; it knows only
 * the rectangle, whose width travels with it here rather than being looked up from the function.
 */
export type Surrogate = RectangleSurrogate | CustomSurrogate;

export interface RectangleSurrogate {
  readonly kind: 'rectangle';
  /** Total width of the rectangle; its height is 1 / width. */
  readonly width: number;
  readonly fn: SpikeFn;
}

/** Any other spike function: only the tf-ops neuron can run it. */
export interface CustomSurrogate {
  readonly kind: 'custom';
  readonly fn: SpikeFn;
}

/**
 * The official surrogate (reference glif.md section 3): S = 1[z > 0] (strict, so z == 0 gives
 * no spike) and dS/dz = 1[|z| < width/2] / width, a rectangle of total area 1 centred on the
 * threshold. The authors use width 1 (height 1). The width does not scale with V_th.
 */
export function rectangularSurrogate(width = 1): RectangleSurrogate {
  if (!(width > 0)) throw new Error(`surrogate width must be > 0, got ${width}`);
  const half = width / 2;
  const height = 1 / width;
  const fn = unaryCustomGrad((z, save) => {
    save([z]);
    return {
      value: tf.cast(tf.greater(z, 0), 'float32'),
      gradFunc: (dy, saved) => {
        const window = tf.cast(tf.less(tf.abs(saved[0]), half), 'float32');
        return height === 1 ? tf.mul(dy, window) : tf.mul(tf.mul(dy, window), height);
      },
    };
  });
  return { kind: 'rectangle', width, fn };
}

/** Wraps a spike function the fused neuron does not know (experiments, tests). */
export function customSurrogate(fn: SpikeFn): CustomSurrogate {
  return { kind: 'custom', fn };
}

/** The default surrogate of every GLIF layer: the authors' rectangle of width 1. */
export const spikeRect: RectangleSurrogate = rectangularSurrogate(1);
