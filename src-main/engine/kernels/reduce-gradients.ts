import * as tf from '@tensorflow/tfjs-core';

/**
 * The gradients of Sum and Mean, as tfjs-core defines them but without tf.ones. tfjs-core broadcasts
 * dy by multiplying it with tf.ones(x.shape), which fills a fresh JS array one element at a time and
 * uploads it: for the 2M-element activation of the glif-layer benchmark that was 7.6 ms of a 16 ms
 * backward pass on wasm. tf.fill is a kernel on every backend (a native fill on wasm), so the same
 * values now cost a fraction of a millisecond. The arithmetic is tfjs-core's: dy * 1 for Sum, and
 * (dy / n) * 1 for Mean (tfjs divides after the product, which gives the same floats).
 */
function expandedDy(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const shape = x.shape.slice();
  for (const a of tf.util.parseAxisParam(axis, x.shape)) shape[a] = 1;
  return tf.reshape(dy, shape);
}

function broadcastTo(values: tf.Tensor, shape: number[]): tf.Tensor {
  return tf.mul(values, tf.fill(shape, 1, 'float32'));
}

export const sumGradient: tf.GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    if (Array.isArray(dy) || x === undefined) throw new Error('Sum gradient: expected one dy and x');
    const { axis } = attrs as unknown as tf.SumAttrs;
    const derX = broadcastTo(expandedDy(dy, x, axis), x.shape);
    return { x: () => derX };
  },
};

export const meanGradient: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    if (Array.isArray(dy) || x === undefined) throw new Error('Mean gradient: expected one dy and x');
    const { axis } = attrs as unknown as tf.MeanAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const reduceSize = axes.reduce((n, a) => n * (x.shape[a] ?? 1), 1);
    const derX = broadcastTo(tf.div(expandedDy(dy, x, axis), reduceSize), x.shape);
    return { x: () => derX };
  },
};

/** Registers the two gradients above in place of tfjs-core's (idempotent; all backends). */
export function installReduceGradients(): void {
  tf.registerGradient(sumGradient);
  tf.registerGradient(meanGradient);
}
