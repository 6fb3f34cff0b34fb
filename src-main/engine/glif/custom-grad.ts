import * as tf from '@tensorflow/tfjs-core';

/**
 * tf.customGrad for a one-input op, typed. TF.js types the callback as variadic over
 * tensors and the save function together; this wrapper keeps call sites precise.
 */
export function unaryCustomGrad(
  fn: (
    x: tf.Tensor,
    save: tf.GradSaveFunc,
  ) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor },
): (x: tf.Tensor) => tf.Tensor {
  const op = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => fn(x, save)) as unknown as Parameters<
    typeof tf.customGrad
  >[0]);
  return (x: tf.Tensor) => op(x);
}
