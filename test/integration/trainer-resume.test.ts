import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { buildConfig } from '../../src-main/engine/config/build';
import type { EpochEvent, TrainEvent } from '../../src-main/engine/train/events';
import { train } from '../../src-main/engine/train/trainer';

const config = buildConfig({
  preset: 'synthetic-mlp',
  overrides: ['train.epochs=3', 'data.trainLimit=256', 'data.testLimit=128', 'model.mlpHidden=32'],
});

let backend = 'wasm';
/** The checkpoint folders the tests make, removed when they are done. */
const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  backend = (await initBackend()).active;
});

function collect() {
  const events: TrainEvent[] = [];
  return {
    events,
    sink: (e: TrainEvent) => events.push(e),
    epochs: () => events.filter((e): e is EpochEvent => e.type === 'epoch'),
  };
}

describe('trainer', () => {
  it('repeats a run exactly with the same seed on the same backend', async () => {
    const a = collect();
    const b = collect();
    const dir = tempDir('glif-seed-');
    const ra = await train({ config, checkpointDir: path.join(dir, 'a'), backend, sink: a.sink });
    const rb = await train({ config, checkpointDir: path.join(dir, 'b'), backend, sink: b.sink });
    expect(ra.status).toBe('completed');
    expect(rb.final).toEqual(ra.final);
    const losses = (c: ReturnType<typeof collect>) =>
      c.events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
    expect(losses(b)).toEqual(losses(a));
    const other = collect();
    await train({
      config: { ...config, train: { ...config.train, seed: 10 } },
      checkpointDir: path.join(dir, 'c'),
      backend,
      sink: other.sink,
    });
    expect(losses(other)).not.toEqual(losses(a));
  });

  it('resumes from a checkpoint exactly where the uninterrupted run would be', async () => {
    const dir = tempDir('glif-resume-');
    const straight = collect();
    const full = await train({
      config,
      checkpointDir: path.join(dir, 'straight'),
      backend,
      sink: straight.sink,
    });
    expect(full.status).toBe('completed');

    const abort = new AbortController();
    const first = collect();
    let checkpoint: { path: string; sha256: string } | undefined;
    const partial = await train({
      config,
      checkpointDir: path.join(dir, 'split'),
      backend,
      signal: abort.signal,
      sink: (e) => {
        first.sink(e);
        if (e.type === 'checkpoint' && e.epoch === 0) checkpoint = { path: e.path, sha256: e.sha256 };
        if (e.type === 'epoch' && e.epoch === 0) abort.abort();
      },
    });
    expect(partial.status).toBe('cancelled');
    expect(checkpoint).toBeDefined();
    const second = collect();
    const resumed = await train({
      config,
      checkpointDir: path.join(dir, 'split'),
      backend,
      resumeFrom: checkpoint,
      sink: second.sink,
    });
    expect(resumed.status).toBe('completed');
    expect(second.events[0]).toMatchObject({ type: 'started', startEpoch: 1 });
    expect(resumed.final).toEqual(full.final);
    expect(second.epochs().map((e) => e.testAccuracy)).toEqual(
      straight
        .epochs()
        .slice(1)
        .map((e) => e.testAccuracy),
    );
  });

  it('keeps the tensor count flat from epoch to epoch', async () => {
    const c = collect();
    const before = tf.memory().numTensors;
    await train({ config, checkpointDir: tempDir('glif-leak-'), backend, sink: c.sink });
    const counts = c.epochs().map((e) => e.numTensors);
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a checkpoint whose contents do not match its recorded hash', async () => {
    const dir = tempDir('glif-bad-ckpt-');
    let ckpt: { path: string; sha256: string } | undefined;
    await train({
      config: { ...config, train: { ...config.train, epochs: 1 } },
      checkpointDir: dir,
      backend,
      sink: (e) => {
        if (e.type === 'checkpoint') ckpt = { path: e.path, sha256: e.sha256 };
      },
    });
    const bytes = fs.readFileSync(ckpt!.path);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(ckpt!.path, bytes);
    const r = await train({ config, checkpointDir: dir, backend, resumeFrom: ckpt, sink: () => {} });
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/sha256 .* does not match/);
  });
});
