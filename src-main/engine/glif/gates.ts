import * as tf from '@tensorflow/tfjs-core';
import { missingCase } from '../../contract/exhaustive';
import { unaryCustomGrad } from './custom-grad';
import type { GateMode } from './variants';

/**
 * A function of the raw gate that is used in the forward pass but passes no gradient back
 * (PyTorch's `.detach()`). The whole computation sits inside the custom gradient, so ops
 * without a gradient (the comparison of binary gates) never reach the tape. Frozen gates also
 * live in non-trainable variables, so optimisers never see them.
 */
function frozen(fn: (raw: tf.Tensor) => tf.Tensor): (raw: tf.Tensor) => tf.Tensor {
  return unaryCustomGrad((raw) => ({
    value: fn(raw),
    gradFunc: (dy) => tf.zerosLike(dy),
  }));
}

const frozenSoft = frozen((raw) => tf.sigmoid(raw));
const frozenBinary = frozen((raw) => tf.cast(tf.greater(raw, 0), 'float32'));

/** Forward 1[s > 0.5]; backward the identity into s = sigmoid(raw) (straight-through). */
const straightThroughStep = unaryCustomGrad((s) => ({
  value: tf.cast(tf.greater(s, 0.5), 'float32'),
  gradFunc: (dy) => tf.clone(dy),
}));

/** The gate value the neuron multiplies with, from its raw logit, for a gate mode. */
export function effectiveGate(raw: tf.Tensor, mode: Exclude<GateMode, 'none'>): tf.Tensor {
  switch (mode) {
    case 'learnable':
      return tf.sigmoid(raw);
    case 'static-soft':
      return frozenSoft(raw);
    case 'static-binary':
      return frozenBinary(raw);
    case 'hard-ste':
      return straightThroughStep(tf.sigmoid(raw));
    default:
      return missingCase(mode, 'gate mode');
  }
}

/** Whether a gate mode's raw gate values are trained. */
export function gatesAreTrainable(mode: GateMode): boolean {
  return mode === 'learnable' || mode === 'hard-ste';
}

/** Plain-number version of `effectiveGate`, for reports and histograms. */
export function effectiveGateValue(
  raw: number,
  mode: Exclude<GateMode, 'none'>,
  /** sigmoid(raw) as the backend computed it, where it must match the tensor path bit for bit. */
  sigmoid?: number,
): number {
  const s = sigmoid ?? 1 / (1 + Math.exp(-raw));
  switch (mode) {
    case 'learnable':
    case 'static-soft':
      return s;
    case 'static-binary':
      return raw > 0 ? 1 : 0;
    case 'hard-ste':
      return s > 0.5 ? 1 : 0;
    default:
      return missingCase(mode, 'gate mode');
  }
}
