import type * as tf from '@tensorflow/tfjs-core';
import type { ResolvedNeuronImpl } from './impl';
import type { Surrogate } from './surrogate';

/**
 * What a GLIF forward pass takes and gives, shared by the dispatcher (neuron.ts) and the fused
 * implementation (fused.ts), so neither imports the other's module for its types.
 */
export interface GlifForwardOptions {
  /** Also return the membrane u_t of every step (the charged, pre-reset potential). */
  readonly recordMembrane?: boolean;
  /** Surrogate spike function; the authors' rectangle of width 1 by default. */
  readonly surrogate?: Surrogate;
  /**
   * TF.js ops or the fused typed-array op (impl.ts), resolved by whoever built the layer
   * (resolveNeuronImpl): required, so no forward pass picks one from the environment.
   */
  readonly impl: ResolvedNeuronImpl;
  /**
   * No gradient will be taken (evaluation): the fused implementation then skips its custom
   * gradient and saved state. Ignored with recordMembrane and by the tf-ops implementation.
   */
  readonly inference?: boolean;
}

export interface GlifForwardResult {
  /** S_t stacked over time, same shape as the input, 0/1 float32. */
  readonly spikes: tf.Tensor;
  /** u_t stacked over time, when asked for. */
  readonly membrane?: tf.Tensor;
}
