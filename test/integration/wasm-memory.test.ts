/**
 * A run too big for wasm memory (4 GiB per training thread) is refused before its first step
 * with the settings to lower, instead of dying with "memory access out of bounds"; and a real
 * wasm out-of-bounds trap is recognised and reported the same way. Real wasm backend.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { buildConfig } from '../../src-main/engine/config/build';
import type { TrainEvent } from '../../src-main/engine/train/events';
import {
  assertFitsWasmMemory,
  estimateTrainingMemory,
  isWasmOutOfMemory,
  wasmOutOfMemoryMessage,
} from '../../src-main/engine/train/memory';
import { train } from '../../src-main/engine/train/trainer';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-wasm-memory-'));
beforeAll(async () => {
  await initBackend({ only: 'wasm' });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Node's WebAssembly global (this project's TypeScript libs declare only its types). */
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      instantiate(bytes: Uint8Array): Promise<{ instance: { exports: Record<string, unknown> } }>;
      RuntimeError: new () => Error;
    };
  }
).WebAssembly;

/** A module with one 64 KiB page whose export loads from byte 100000: a real out-of-bounds trap. */
// prettier-ignore
const OUT_OF_BOUNDS_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x05, 0x03, 0x01, 0x00, 0x01, // memory: min 1 page
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f" = function 0
  0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0xa0, 0x8d, 0x06, 0x28, 0x02, 0x00, 0x0b, // i32.load (100000)
]);

describe('wasm memory', () => {
  it('refuses a run that cannot fit before its first step, naming batch size, T and threads', async () => {
    const config = buildConfig({
      preset: 'synthetic-mlp',
      overrides: [
        'model.timeSteps=64',
        'train.batchSize=4096',
        'model.mlpHidden=2048',
        'train.epochs=1',
        'data.trainLimit=null',
      ],
    });
    const events: TrainEvent[] = [];
    const outcome = await train({
      config,
      checkpointDir: path.join(dir, 'big'),
      backend: 'wasm',
      threads: 1,
      sink: (e) => events.push(e),
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(
      /^this run needs about \d+\.\d GiB of wasm memory per training thread \(.* x 2048 samples per thread.*\), more than the 4\.0 GiB a wasm thread can address: lower train\.batchSize \(now 4096\) or model\.timeSteps \(now 64\), or train on more threads \(now 1; --threads or GLIF_THREADS\)/,
    );
    expect(events.filter((e) => e.type === 'step' || e.type === 'started')).toEqual([]);
  });

  it('lets a run that fits train', async () => {
    const config = buildConfig({
      preset: 'synthetic-mlp',
      overrides: ['train.epochs=1', 'data.trainLimit=64', 'data.testLimit=32'],
    });
    const outcome = await train({
      config,
      checkpointDir: path.join(dir, 'small'),
      backend: 'wasm',
      threads: 1,
      sink: () => {},
    });
    expect(outcome.status, outcome.error).toBe('completed');
  });

  it('more threads split the batch: the same run fits on enough of them', () => {
    const config = buildConfig({ preset: 'synthetic-mlp', overrides: ['train.batchSize=4096'] });
    const estimate = (threads: number) =>
      estimateTrainingMemory({
        activationBytesPerSample: 2 * 1024 ** 2,
        parameterCount: 1e6,
        batchSize: 4096,
        threads,
      });
    expect(() => assertFitsWasmMemory(estimate(1), config, 1)).toThrow(/now 1; --threads/);
    expect(estimate(8).samplesPerThread).toBe(512);
    expect(() => assertFitsWasmMemory(estimate(8), config, 8)).not.toThrow();
  });

  it('a real out-of-bounds trap is recognised and reported with the settings to lower', async () => {
    const { instance } = await wasm.instantiate(OUT_OF_BOUNDS_MODULE);
    let trap: unknown;
    try {
      (instance.exports['f'] as () => number)();
    } catch (err) {
      trap = err;
    }
    expect(trap).toBeInstanceOf(wasm.RuntimeError);
    expect((trap as Error).message).toMatch(/memory access out of bounds/);
    expect(isWasmOutOfMemory(trap)).toBe(true);
    expect(isWasmOutOfMemory(new Error('checkpoint tensor x does not exist in this model'))).toBe(false);
    const config = buildConfig({ preset: 'synthetic-mlp', overrides: ['train.batchSize=512'] });
    expect(wasmOutOfMemoryMessage(config, 2)).toBe(
      'training ran out of wasm memory (memory access out of bounds): a wasm thread addresses at most 4.0 GiB; ' +
        'lower train.batchSize (now 512) or model.timeSteps (now 4), or train on more threads (now 2; ' +
        '--threads or GLIF_THREADS), each of which takes its share of the batch',
    );
  });
});
