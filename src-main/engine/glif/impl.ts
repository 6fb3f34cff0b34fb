/**
 * Which implementation of the GLIF neuron runs (neuron.ts dispatches on it):
 * - `ops`: TF.js ops, differentiated by the tape; runs on every backend, stays on the device.
 * - `fused`: one custom op over the whole time loop (fused.ts): typed-array loops, or SIMD
 *   kernels on the wasm heap, where tensors live in plain memory (wasm, cpu); WGSL compute
 *   kernels on webgpu (webgpu/glif-programs.ts).
 * - `auto`: `fused` on those backends, `ops` elsewhere (tfjs-node and tfjs-node-gpu, where the
 *   loops would copy out of TensorFlow or off the GPU, and the native kernels are fast anyway).
 */
export type GlifNeuronImpl = 'auto' | 'ops' | 'fused';
export type ResolvedNeuronImpl = Exclude<GlifNeuronImpl, 'auto'>;

export const NEURON_IMPLS: readonly GlifNeuronImpl[] = ['auto', 'ops', 'fused'];

/** Overrides the default ('auto') for experiments, e.g. GLIF_NEURON_IMPL=ops npm run bench:fmnist-cnn. */
export const NEURON_IMPL_ENV_VAR = 'GLIF_NEURON_IMPL';

/** Backend names (BackendReport.active) on which `auto` picks the fused op. */
export const FUSED_BACKENDS: readonly string[] = ['wasm', 'cpu', 'webgpu'];

/**
 * Where the fused neuron also brings the fused training tdBN (tdbn-fused.ts): its loops read
 * tensors from plain memory. On webgpu, tdBN stays TF.js ops: there its reductions are GPU
 * kernels already (the fused tdBN exists because wasm transposes the tensor for each one), and
 * data-parallel replicas, which need its collective, never run on a GPU backend.
 */
export const FUSED_TDBN_BACKENDS: readonly string[] = ['wasm', 'cpu'];

export function parseNeuronImpl(value: string, source = 'neuron implementation'): GlifNeuronImpl {
  const v = value.trim().toLowerCase();
  if ((NEURON_IMPLS as readonly string[]).includes(v)) return v as GlifNeuronImpl;
  throw new Error(
    `${source}: unknown GLIF neuron implementation '${value}'; expected one of ${NEURON_IMPLS.join(', ')}`,
  );
}

/**
 * The CLI/bench override (GLIF_NEURON_IMPL), for the entry points of a process to read once;
 * unset: `auto`. The engine below them never reads the environment: the implementation is a
 * value resolved where a model is built and handed to its layers.
 */
export function neuronImplFromEnv(env: Readonly<Record<string, string | undefined>>): GlifNeuronImpl {
  const value = env[NEURON_IMPL_ENV_VAR];
  return value ? parseNeuronImpl(value, NEURON_IMPL_ENV_VAR) : 'auto';
}

/**
 * The implementation that runs, resolved once where a model is built (the trainer, a replica's
 * leader, the parity runner). `fusable` says whether the fused op can compute this layer (it
 * knows only the rectangular surrogate); asking for `fused` where it cannot is an error, `auto`
 * then falls back to ops. `backend` is the active backend's name (BackendReport.active).
 */
export function resolveNeuronImpl(
  requested: GlifNeuronImpl,
  fusable: boolean,
  backend: string,
): ResolvedNeuronImpl {
  if (requested === 'ops') return 'ops';
  if (requested === 'fused') {
    if (!fusable)
      throw new Error('the fused GLIF op supports only the rectangular surrogate (rectangularSurrogate)');
    return 'fused';
  }
  return fusable && FUSED_BACKENDS.includes(backend) ? 'fused' : 'ops';
}
