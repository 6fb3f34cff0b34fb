import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { buildConfig } from '../../src-main/engine/config/build';
import type { RunConfig } from '../../src-main/engine/config/types';
import type { Batch } from '../../src-main/engine/data/dataset';
import type { Model } from '../../src-main/engine/models/model';
import { SIMD_ENV_VAR } from '../../src-main/engine/kernels/simd/module';
import { createGroupBuffers } from '../../src-main/engine/parallel/collective';
import { ReplicaPool, shardBounds } from '../../src-main/engine/parallel/pool';
import { resolveThreads } from '../../src-main/engine/parallel/threads';
import { Rng } from '../../src-main/engine/random';
import { buildRunModel } from '../../src-main/engine/train/build';
import { evaluateBatch } from '../../src-main/engine/train/evaluate';
import type { TrainEvent } from '../../src-main/engine/train/events';
import { recipeGroups, Sgd } from '../../src-main/engine/train/optimizer';
import { trainStep } from '../../src-main/engine/train/train-step';
import { train } from '../../src-main/engine/train/trainer';

/** Temporary folders made by the tests here, removed after each. */
const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const here = path.dirname(new URL(import.meta.url).pathname);
const boot = new URL('../../src-main/engine/parallel/boot-worker.mjs', import.meta.url);

beforeAll(async () => {
  await initBackend({ only: 'wasm' });
});

interface CollectiveReply {
  ok: boolean;
  results?: { small: number[][]; gradients: number[][] }[];
  message?: string;
  name?: string;
}

function runGroup(
  size: number,
  rounds: number,
  failAt?: { rank: number; round: number },
): Promise<CollectiveReply[]> {
  const buffers = createGroupBuffers(size, 7);
  return Promise.all(
    Array.from({ length: size }, (_, rank) => {
      const worker = new Worker(boot, {
        workerData: {
          entry: new URL(`file://${path.join(here, '../helpers/collective-worker.ts')}`).href,
          payload: {
            init: { ...buffers, rank },
            rounds,
            failAtRound: failAt?.rank === rank ? failAt.round : undefined,
          },
        },
      });
      return new Promise<CollectiveReply>((resolve, reject) => {
        worker.once('message', (m: CollectiveReply) => {
          resolve(m);
          void worker.terminate();
        });
        worker.once('error', reject);
      });
    }),
  );
}

describe('replica group collectives', () => {
  it('all-reduce gives every rank the same rank-ordered sums, round after round, whoever runs ahead', async () => {
    const rounds = 6;
    const replies = await runGroup(3, rounds);
    for (const r of replies) expect(r.ok).toBe(true);
    for (let round = 0; round < rounds; round++) {
      // Back-to-back collectives reuse the shared slots: a rank that ran ahead must not have
      // overwritten values another rank was still reading (see collective-worker.ts's delays).
      const small = [0, 1, 2].map((k) =>
        Array.from({ length: 5 }, (_, i) =>
          [0, 1, 2].reduce((s, rank) => s + (rank + 1) * 0.1 + i + round + 10 * k, 0),
        ),
      );
      const grads = [0, 1].map((j) =>
        Array.from({ length: 7 }, (_, i) => {
          const v = (rank: number) => Math.fround((rank + 1) / 3 + i * 1e-3 + round + 100 * j);
          let s = v(0);
          for (const rank of [1, 2]) s = Math.fround(s + v(rank));
          return s;
        }),
      );
      for (const r of replies) {
        expect(r.results![round].small).toEqual(small);
        expect(r.results![round].gradients).toEqual(grads);
      }
    }
  });

  it('a rank that fails wakes the others instead of leaving them blocked', async () => {
    const replies = await runGroup(3, 3, { rank: 1, round: 1 });
    expect(replies[1]).toMatchObject({ ok: false, message: 'rank 1 failed on purpose' });
    for (const r of [replies[0], replies[2]])
      expect(r).toMatchObject({ ok: false, name: 'GroupAbortedError' });
  });
});

function fmnistSetup(seed = 1): {
  config: RunConfig;
  model: Model;
  sgd: Sgd;
  info: Parameters<typeof buildRunModel>[1];
} {
  const config = buildConfig({ preset: 'fmnist-cnn', overrides: [] });
  const info = {
    name: 'synthetic',
    kind: 'static' as const,
    inputShape: [28, 28, 1] as const,
    numClasses: 10,
    trainSize: 0,
    testSize: 0,
    augmentation: 'none',
    source: 'test',
  };
  const model = buildRunModel(config, info, new Rng(seed), 'fused');
  const sgd = new Sgd(model.root.parameters(), { momentum: 0.9, groups: recipeGroups(5e-5, 0.1) });
  return { config, model, sgd, info };
}

function randomBatch(n: number, seed: number): Batch {
  const rng = new Rng(seed);
  return {
    x: Float32Array.from({ length: n * 784 }, () => rng.next()),
    y: Int32Array.from({ length: n }, () => rng.int(10)),
    n,
    shape: [n, 28, 28, 1],
    indices: Int32Array.from({ length: n }, (_, i) => i),
  };
}

const params = (m: Model) => m.root.parameters().map((p) => Array.from(p.variable.dataSync()));
const buffers = (m: Model) => m.root.buffers().map((b) => Array.from(b.variable.dataSync()));
/** The optimiser's momentum buffers, by parameter path (sorted, so both sides list them alike). */
const momentum = (sgd: Sgd) =>
  [...sgd.state().buffers].sort(([a], [b]) => a.localeCompare(b)).map(([, t]) => Array.from(t.dataSync()));

/** The 2-thread pool of the fused wasm replicas, from `s`'s model and optimiser. */
function startPool(s: ReturnType<typeof fmnistSetup>): Promise<ReplicaPool> {
  return ReplicaPool.start(
    { threads: 2, config: s.config, dataset: s.info, backend: 'wasm', neuronImpl: 'fused' },
    s.model,
    s.sgd,
  );
}

function maxRelativeGap(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((xs, i) =>
    xs.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - b[i][j]) / (Math.abs(x) + 1e-3)))),
  );
  return worst;
}

/** ||a - b|| / ||b|| over every value of every parameter. */
function relativeNormGap(a: number[][], b: number[][]): number {
  let diff = 0;
  let norm = 0;
  a.forEach((xs, i) =>
    xs.forEach((x, j) => {
      diff += (x - b[i][j]) ** 2;
      norm += b[i][j] ** 2;
    }),
  );
  return Math.sqrt(diff / norm);
}

describe('data-parallel training (ReplicaPool)', () => {
  it('shards a batch into contiguous, near-equal parts', () => {
    expect(shardBounds(10, 3)).toEqual([
      [0, 4],
      [4, 7],
      [7, 10],
    ]);
    expect(shardBounds(2, 2)).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('trains like one thread (synchronised tdBN, all-reduced gradients), evaluates in shards, and repeats exactly', async () => {
    const batches = [randomBatch(12, 5), randomBatch(12, 6), randomBatch(1, 7)];
    const single = fmnistSetup();
    const singleLoss: number[] = [];
    let singleAfterFirst: number[][] = [];
    for (const b of batches) {
      singleLoss.push(trainStep(single.model, single.sgd, b, 0.1).loss);
      if (singleLoss.length === 1) singleAfterFirst = [...params(single.model), ...buffers(single.model)];
    }

    const runPool = async () => {
      const s = fmnistSetup();
      const pool = await startPool(s);
      try {
        const losses: number[] = [];
        let afterFirst: number[][] = [];
        // The last batch is smaller than the group: every replica runs it whole.
        for (const b of batches) {
          losses.push((await pool.step(b, 0.1)).loss);
          if (losses.length === 1) {
            await pool.pull(s.model, s.sgd);
            afterFirst = [...params(s.model), ...buffers(s.model)];
          }
        }
        await pool.pull(s.model, s.sgd);
        // Evaluation sharded over the replicas sums to the same as the pulled model evaluating alone.
        const test = randomBatch(10, 9);
        const shards = await pool.evaluate(test);
        const alone = evaluateBatch(s.model, test);
        expect(shards).toHaveLength(2);
        expect(shards.reduce((n, p) => n + p.hits, 0)).toBe(alone.hits);
        expect(shards.reduce((n, p) => n + p.lossSum, 0)).toBeCloseTo(alone.lossSum, 4);
        expect(alone.spikes.length).toBeGreaterThan(0);
        alone.spikes.forEach(([path, sum, count], i) => {
          expect(shards.map((p) => p.spikes[i][0])).toEqual([path, path]);
          expect(shards[0].spikes[i][1] + shards[1].spikes[i][1]).toBe(sum);
          expect(shards[0].spikes[i][2] + shards[1].spikes[i][2]).toBe(count);
        });
        return {
          losses,
          afterFirst,
          params: params(s.model),
          buffers: buffers(s.model),
          steps: s.sgd.stepCount,
          momentum: momentum(s.sgd),
          model: s.model,
        };
      } finally {
        await pool.close();
      }
    };
    const a = await runPool();
    const b = await runPool();
    // Bit-identical for a given seed and thread count.
    expect(b.losses).toEqual(a.losses);
    expect(b.params).toEqual(a.params);
    expect(b.buffers).toEqual(a.buffers);
    expect(b.momentum).toEqual(a.momentum);
    // The same training as on one thread, up to float32 summation order. The first step starts
    // from the same parameters (only tdBN's sums and the gradients' run in another order), so its
    // loss and update agree closely. After it the parameters differ in their last bits, which may
    // move a membrane across the threshold and flip a spike (seen: 3e-4 of the loss, and a
    // parameter near zero moved by 2e-3), so the later steps are held to 1e-3 of the loss and of
    // the parameters' norm: a lost gradient or momentum would miss by far more.
    expect(a.steps).toBe(3);
    expect(a.losses[0]).toBeCloseTo(singleLoss[0], 5);
    expect(maxRelativeGap(a.afterFirst, singleAfterFirst)).toBeLessThan(1e-4);
    a.losses.forEach((l, i) => expect(Math.abs(l - singleLoss[i]) / singleLoss[i]).toBeLessThan(1e-3));
    expect(relativeNormGap(a.params, params(single.model))).toBeLessThan(1e-3);
    // The momentum the replicas kept (the sharded optimiser's, pulled back) is the single thread's.
    expect(a.momentum).toHaveLength(single.sgd.trainable.length);
    expect(relativeNormGap(a.momentum, momentum(single.sgd))).toBeLessThan(1e-3);
    // Running statistics are those of the whole batch (synchronised), not of a shard: after the
    // first step within 1e-4 (checked with the parameters above), after the last 1e-4 of their norm.
    expect(relativeNormGap(a.buffers, buffers(single.model))).toBeLessThan(1e-4);
    const fresh = fmnistSetup();
    expect(a.params).not.toEqual(params(fresh.model));
    fresh.model.dispose();
    single.model.dispose();
    a.model.dispose();
    b.model.dispose();
  });

  it('trains like one thread without the SIMD kernels too (the optimiser copies through typed arrays)', async () => {
    process.env[SIMD_ENV_VAR] = 'off';
    try {
      const batches = [randomBatch(12, 5), randomBatch(12, 6)];
      const single = fmnistSetup();
      const singleLoss = batches.map((b) => trainStep(single.model, single.sgd, b, 0.1).loss);
      const s = fmnistSetup();
      const pool = await startPool(s);
      try {
        const losses: number[] = [];
        for (const b of batches) losses.push((await pool.step(b, 0.1)).loss);
        await pool.pull(s.model, s.sgd);
        expect(losses[0]).toBeCloseTo(singleLoss[0], 5);
        losses.forEach((l, i) => expect(Math.abs(l - singleLoss[i]) / singleLoss[i]).toBeLessThan(1e-3));
        expect(relativeNormGap(params(s.model), params(single.model))).toBeLessThan(1e-3);
        expect(relativeNormGap(momentum(s.sgd), momentum(single.sgd))).toBeLessThan(1e-3);
        const fresh = fmnistSetup();
        expect(params(s.model)).not.toEqual(params(fresh.model));
        fresh.model.dispose();
      } finally {
        await pool.close();
        s.model.dispose();
        single.model.dispose();
      }
    } finally {
      delete process.env[SIMD_ENV_VAR];
    }
  });

  it('fails the step with a clear message when a training thread dies, and leaves no thread behind', async () => {
    const s = fmnistSetup();
    const pool = await startPool(s);
    const workers = (pool as unknown as { workers: Worker[] }).workers;
    const stepping = pool.step(randomBatch(64, 8), 0.1);
    setTimeout(() => void workers[1].terminate(), 50);
    await expect(stepping).rejects.toThrow(/training thread 2 of 2 exited/);
    await expect(pool.step(randomBatch(4, 9), 0.1)).rejects.toThrow(/training thread 2 of 2/);
    await pool.close();
    for (const w of workers) expect(w.threadId).toBe(-1);
    s.model.dispose();
  });

  it('trains a run end to end on 2 threads, says so, and resumes exactly', async () => {
    const config = buildConfig({
      preset: 'fmnist-cnn',
      overrides: [
        'train.epochs=2',
        'data.dataset=synthetic',
        'data.trainLimit=96',
        'data.testLimit=32',
        'train.batchSize=32',
      ],
    });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-parallel-'));
    tempDirs.push(dir);
    const events: TrainEvent[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const full = await train({
      config,
      checkpointDir: path.join(dir, 'a'),
      backend: 'wasm',
      threads: 2,
      sink: (e) => events.push(e),
    });
    expect(full.status).toBe('completed');
    expect(events[0]).toMatchObject({ type: 'started', threads: 2 });
    const abort = new AbortController();
    let checkpoint: { path: string; sha256: string } | undefined;
    await train({
      config,
      checkpointDir: path.join(dir, 'b'),
      backend: 'wasm',
      threads: 2,
      signal: abort.signal,
      sink: (e) => {
        if (e.type === 'checkpoint') checkpoint = { path: e.path, sha256: e.sha256 };
        if (e.type === 'epoch') abort.abort();
      },
    });
    const resumed = await train({
      config,
      checkpointDir: path.join(dir, 'b'),
      backend: 'wasm',
      threads: 2,
      resumeFrom: checkpoint,
      sink: () => {},
    });
    expect(resumed.final).toEqual(full.final);
    // Nothing left behind on the leader's backend by three runs with their pools.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('thread count', () => {
  it('uses every core by default, one per sample at most, and one on native backends', () => {
    const cores = os.availableParallelism();
    const saved = process.env.GLIF_THREADS;
    delete process.env.GLIF_THREADS;
    try {
      expect(resolveThreads({ backend: 'wasm', batchSize: 64, fusedBatchNorm: true }).threads).toBe(
        Math.min(cores, 32),
      );
      expect(
        resolveThreads({ requested: 4, backend: 'wasm', batchSize: 2, fusedBatchNorm: true }),
      ).toMatchObject({ threads: 2 });
      expect(
        resolveThreads({ requested: 4, backend: 'tensorflow', batchSize: 64, fusedBatchNorm: true }),
      ).toMatchObject({ threads: 1 });
      expect(
        resolveThreads({ requested: 4, backend: 'wasm', batchSize: 64, fusedBatchNorm: false }),
      ).toMatchObject({ threads: 1 });
      process.env.GLIF_THREADS = '3';
      expect(resolveThreads({ backend: 'wasm', batchSize: 64, fusedBatchNorm: true }).threads).toBe(3);
      process.env.GLIF_THREADS = 'many';
      expect(() => resolveThreads({ backend: 'wasm', batchSize: 64, fusedBatchNorm: true })).toThrow(
        /GLIF_THREADS: 'many' is not a thread count/,
      );
    } finally {
      if (saved === undefined) delete process.env.GLIF_THREADS;
      else process.env.GLIF_THREADS = saved;
    }
  });
});
