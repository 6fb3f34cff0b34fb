import * as tf from '@tensorflow/tfjs-core';

/**
 * Which implementation of the GLIF neuron runs (neuron.ts dispatches on it):
 * - `ops`: TF.js ops, differentiated by the tape; runs on every backend, stays on the device.
 * - `fused`: one custom op with typed-array loops (fused.ts); reads the input with dataSync.
 * - `auto`: `fused` where reading a tensor is a plain memory copy (wasm, cpu), `ops` elsewhere
 *   (tfjs-node and tfjs-node-gpu, where dataSync would copy out of TensorFlow or off the GPU
 *   and the native kernels are fast anyway).
 */
export type GlifNeuronImpl = 'auto' | 'ops' | 'fused';
export type ResolvedNeuronImpl = Exclude<GlifNeuronImpl, 'auto'>;

export const NEURON_IMPLS: readonly GlifNeuronImpl[] = ['auto', 'ops', 'fused'];

/** Overrides the default ('auto') for experiments, e.g. GLIF_NEURON_IMPL=ops npm run bench:fmnist-cnn. */
export const NEURON_IMPL_ENV_VAR = 'GLIF_NEURON_IMPL';

/** tf.getBackend() names on which `auto` picks the fused op. */
export const FUSED_BACKENDS: readonly string[] = ['wasm', 'cpu'];

export function parseNeuronImpl(value: string, source = 'neuron implementation'): GlifNeuronImpl {
  const v = value.trim().toLowerCase();
  if ((NEURON_IMPLS as readonly string[]).includes(v)) return v as GlifNeuronImpl;
  throw new Error(
    `${source}: unknown GLIF neuron implementation '${value}'; expected one of ${NEURON_IMPLS.join(', ')}`,
  );
}

let scoped: GlifNeuronImpl | undefined;

/**
 * Runs `fn` with `impl` as the default of every glifForward call that does not name one
 * (layers inside models included). Synchronous work only: the default is restored on return.
 */
export function withNeuronImpl<R>(impl: GlifNeuronImpl, fn: () => R): R {
  const before = scoped;
  scoped = impl;
  try {
    return fn();
  } finally {
    scoped = before;
  }
}

/** What the caller asked for: its own option, else withNeuronImpl's, else the env var, else auto. */
export function requestedNeuronImpl(explicit?: GlifNeuronImpl): GlifNeuronImpl {
  if (explicit !== undefined) return explicit;
  if (scoped !== undefined) return scoped;
  const env = process.env[NEURON_IMPL_ENV_VAR];
  return env ? parseNeuronImpl(env, NEURON_IMPL_ENV_VAR) : 'auto';
}

/**
 * The implementation that runs. `fusable` says whether the fused op can compute this layer
 * (it knows only the rectangular surrogate); asking for `fused` where it cannot is an error,
 * `auto` then falls back to ops.
 */
export function resolveNeuronImpl(
  requested: GlifNeuronImpl,
  fusable: boolean,
  backend: string = tf.getBackend(),
): ResolvedNeuronImpl {
  if (requested === 'ops') return 'ops';
  if (requested === 'fused') {
    if (!fusable)
      throw new Error('the fused GLIF op supports only the rectangular surrogate (rectangularSurrogate)');
    return 'fused';
  }
  return fusable && FUSED_BACKENDS.includes(backend) ? 'fused' : 'ops';
}
