import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src-main/engine/backend';
import type { DatasetInfo } from '../../src-main/engine/data/dataset';
import {
  neuronImplFromEnv,
  resolveNeuronImpl,
  type ResolvedNeuronImpl,
} from '../../src-main/engine/glif/impl';
import { benchOptions, type BenchOptions } from './options';
import { printResult, resultJson, type WorkloadResult } from './report';

/** Initialises the backend the options ask for; returns its name and the neuron implementation GLIF layers will run. */
export async function benchBackend(opts: BenchOptions): Promise<{ backend: string; neuron: string }> {
  const report = await initBackend(opts.backend ? { only: opts.backend } : {});
  return { backend: report.active, neuron: benchNeuronImpl(report.active) };
}

/**
 * Waits until a tensor is computed, the way a timed call ends. Where the backend reads
 * synchronously the wait happens before this returns (timing and tf.profile see a synchronous
 * call); webgpu in Node has no synchronous read-back, so there the promise resolves once it is read.
 */
export function settle(t: tf.Tensor): Promise<void> {
  if (tf.getBackend() !== 'webgpu') {
    t.dataSync();
    return Promise.resolve();
  }
  return t.data().then(() => undefined);
}

/**
 * The neuron implementation a bench builds its layers with on `backend`: --impl (which sets
 * GLIF_NEURON_IMPL, so child processes see it too), else auto. Models use a rectangle.
 */
export function benchNeuronImpl(backend: string): ResolvedNeuronImpl {
  return resolveNeuronImpl(neuronImplFromEnv(process.env), true, backend);
}

/** Dataset description for building a model on synthetic batches (only shapes matter). */
export function syntheticInfo(
  name: string,
  inputShape: [number, number, number],
  numClasses: number,
): DatasetInfo {
  return {
    name,
    kind: 'static',
    inputShape,
    numClasses,
    trainSize: 0,
    testSize: 0,
    augmentation: 'none',
    source: 'uniform random pixels (benchmark)',
  };
}

/** True when the module is the script node was started with (not imported by bench/all.ts). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  const url = new URL(moduleUrl);
  return (
    decodeURIComponent(url.pathname) === entry ||
    decodeURIComponent(url.pathname).replace(/\.ts$/, '') === entry
  );
}

/** The body of a workload script: parse flags, run, print; a failure is one line and exit status 1. */
export async function runWorkloadScript(
  workload: string,
  usage: string,
  bench: (opts: BenchOptions) => Promise<WorkloadResult>,
): Promise<void> {
  const opts = benchOptions(process.argv.slice(2), usage);
  try {
    const r = await bench(opts);
    printResult(r);
    if (opts.json) process.stdout.write(JSON.stringify(resultJson(r), null, 2) + '\n');
  } catch (err) {
    process.stdout.write(`== ${workload} failed: ${firstLine(err)}\n`);
    process.exitCode = 1;
  }
}

/** Errors from inside the wasm backend can carry its whole minified source: keep the message only. */
export function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 500);
}
