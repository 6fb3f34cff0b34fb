/**
 * Whether a run fits in wasm memory. A wasm32 instance addresses at most 4 GiB, and each training
 * thread (replica) has its own instance; past that, training dies with "memory access out of
 * bounds", which names no setting. So the need is estimated before the first step, and a run
 * that cannot fit is refused with the settings to lower; an out-of-memory trap that still
 * happens is reported the same way.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RunConfig } from '../config/types';
import type { Model } from '../models/model';

export const WASM_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3;

/**
 * Training keeps the forward pass's tensors for the backward pass, and going back makes
 * gradients of about their size (freed layer by layer): twice the forward's allocations.
 */
const TRAINING_ACTIVATION_FACTOR = 2;
/** Weights, their gradients and SGD momentum, in float32. */
const PARAMETER_COPIES = 3;
const FLOAT_BYTES = 4;

export interface MemoryEstimate {
  /** Bytes of the tensors one sample's forward pass (all T steps) creates. */
  readonly activationBytesPerSample: number;
  readonly samplesPerThread: number;
  readonly parameterBytes: number;
  /** What one training thread's wasm instance needs, in bytes. */
  readonly bytesPerThread: number;
}

/**
 * The bytes every kernel of one sample's forward pass outputs, measured on the model as built
 * (so it follows the layer shapes of any architecture, T and input size). Evaluation mode, so
 * nothing is learned or updated (batch-norm statistics stay as they are).
 */
export async function measureActivationBytesPerSample(model: Model): Promise<number> {
  const [h, w, c] = model.inputShape;
  const input = tf.zeros([model.T, h, w, c]);
  try {
    const profile = await tf.profile(() => {
      tf.tidy(() => {
        model.logits(input, { T: model.T, training: false });
      });
    });
    // What each kernel allocated, freed or not: with gradients recorded, the tape keeps it all
    // (a reshape shares its input's buffer and adds nothing). Layers that fill tensors from
    // typed arrays run no kernel; the peak still sees their output.
    let allocated = 0;
    for (const kernel of profile.kernels) allocated += Math.max(0, kernel.bytesAdded);
    return Math.max(allocated, profile.peakBytes);
  } finally {
    input.dispose();
  }
}

export function estimateTrainingMemory(o: {
  readonly activationBytesPerSample: number;
  readonly parameterCount: number;
  readonly batchSize: number;
  readonly threads: number;
}): MemoryEstimate {
  const samplesPerThread = Math.ceil(o.batchSize / Math.max(1, o.threads));
  const parameterBytes = o.parameterCount * FLOAT_BYTES * PARAMETER_COPIES;
  return {
    activationBytesPerSample: o.activationBytesPerSample,
    samplesPerThread,
    parameterBytes,
    bytesPerThread:
      o.activationBytesPerSample * samplesPerThread * TRAINING_ACTIVATION_FACTOR + parameterBytes,
  };
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

function whatToLower(config: RunConfig, threads: number): string {
  return (
    `lower train.batchSize (now ${config.train.batchSize}) or model.timeSteps (now ${config.model.timeSteps}), ` +
    `or train on more threads (now ${threads}; --threads or GLIF_THREADS), each of which takes its share of the batch`
  );
}

/** The refusal of a run whose estimate exceeds the wasm limit. */
export class WasmMemoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WasmMemoryError';
  }
}

/** Throws a WasmMemoryError naming the settings to lower when the estimate does not fit. */
export function assertFitsWasmMemory(estimate: MemoryEstimate, config: RunConfig, threads: number): void {
  if (estimate.bytesPerThread <= WASM_MEMORY_LIMIT_BYTES) return;
  throw new WasmMemoryError(
    `this run needs about ${gib(estimate.bytesPerThread)} of wasm memory per training thread ` +
      `(${mib(estimate.activationBytesPerSample)} of activations per sample x ${estimate.samplesPerThread} ` +
      `samples per thread, kept for the backward pass, plus ${mib(estimate.parameterBytes)} of parameters, ` +
      `gradients and momentum), more than the ${gib(WASM_MEMORY_LIMIT_BYTES)} a wasm thread can address: ` +
      whatToLower(config, threads),
  );
}

/** Whether an error is wasm running out of memory (a trap or a failed allocation). */
export function isWasmOutOfMemory(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /memory access out of bounds|out of memory|Maximum memory size|Array buffer allocation failed|WebAssembly\.Memory/i.test(
    message,
  );
}

/** What a wasm out-of-memory failure during training is reported as. */
export function wasmOutOfMemoryMessage(config: RunConfig, threads: number): string {
  return (
    `training ran out of wasm memory (memory access out of bounds): a wasm thread addresses at most ` +
    `${gib(WASM_MEMORY_LIMIT_BYTES)}; ${whatToLower(config, threads)}`
  );
}
