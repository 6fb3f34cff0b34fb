import os from 'node:os';

/**
 * How many threads a training run uses. The wasm and cpu backends compute on one thread per
 * instance, so more threads means data-parallel replicas (pool.ts); the native backends
 * (libtensorflow, CUDA) use every core by themselves and webgpu computes on the GPU, so they get one.
 */
export const THREADS_ENV_VAR = 'GLIF_THREADS';

/** Above this, shards get small and the per-step synchronisation starts to dominate. */
export const MAX_THREADS = 32;

/** Backends on which more threads means more replicas. */
const REPLICATED_BACKENDS: readonly string[] = ['wasm', 'cpu'];

export function parseThreads(value: string, source = 'threads'): number {
  const t = value.trim();
  const n = /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > MAX_THREADS) {
    throw new Error(`${source}: '${value}' is not a thread count; expected 0 (all cores) to ${MAX_THREADS}`);
  }
  return n;
}

/** The machine's cores (what `0`, the default, means). */
export function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export interface ThreadChoice {
  readonly threads: number;
  /** Why fewer threads than asked for run, if so. */
  readonly note?: string;
}

/**
 * The thread count a run gets: the request (0 or absent: GLIF_THREADS, else every core), at most
 * one per sample of a batch, and one on backends that parallelise by themselves.
 */
export function resolveThreads(opts: {
  readonly requested?: number;
  readonly backend: string;
  readonly batchSize: number;
  /** Data parallelism needs the synchronised (fused) batch norm; the tf-ops one has no collective. */
  readonly fusedBatchNorm: boolean;
}): ThreadChoice {
  const env = process.env[THREADS_ENV_VAR];
  const asked =
    opts.requested && opts.requested > 0 ? opts.requested : env ? parseThreads(env, THREADS_ENV_VAR) : 0;
  const wanted = asked > 0 ? asked : Math.min(availableCores(), MAX_THREADS);
  if (wanted <= 1) return { threads: 1 };
  if (!REPLICATED_BACKENDS.includes(opts.backend)) {
    const why = opts.backend === 'webgpu' ? 'computes on the GPU' : 'uses every core by itself';
    return { threads: 1, note: `the ${opts.backend} backend ${why}` };
  }
  if (!opts.fusedBatchNorm) {
    return {
      threads: 1,
      note: 'data-parallel training needs the fused neuron implementation; this run uses ops',
    };
  }
  if (wanted > opts.batchSize) {
    return { threads: opts.batchSize, note: `at most one thread per sample of a batch of ${opts.batchSize}` };
  }
  return { threads: wanted };
}
