/**
 * A GPU lost in the middle of a run (driver reset, device removed): the run must end as `failed`
 * with that reason and the checkpoint of its last finished epoch, never hang, and resume from that
 * checkpoint on another backend. The loss is real: the backend's own GPUDevice is destroyed
 * (Dawn then reports `device.lost` with reason 'destroyed', as it does for a driver loss with
 * 'unknown'). Needs a WebGPU adapter (Mesa's lavapipe here, scripts/setup.sh installs it); where
 * Dawn finds none the test is reported as skipped with the reason in its name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { buildConfig } from '../../src-main/engine/config/build';
import type { TrainEvent } from '../../src-main/engine/train/events';
import { train } from '../../src-main/engine/train/trainer';
import { probeWebGpu } from '../../src-main/engine/webgpu/adapters';

const probe = await probeWebGpu();
const WHERE = probe.ok ? '' : `(runs only where Dawn finds a WebGPU adapter; not run here: ${probe.reason})`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-gpu-lost-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe(`a GPU lost mid-run ${WHERE}`, () => {
  it.runIf(probe.ok)(
    'fails the run with the reason and its last checkpoint, which resumes on wasm',
    async () => {
      const report = await initBackend({ only: 'webgpu' });
      expect(report.active).toBe('webgpu');
      const config = buildConfig({
        preset: 'synthetic-mlp',
        overrides: ['train.epochs=3', 'data.trainLimit=128', 'data.testLimit=64', 'train.batchSize=64'],
      });
      const checkpointDir = path.join(dir, 'run');
      const events: TrainEvent[] = [];
      const outcome = await train({
        config,
        checkpointDir,
        backend: 'webgpu',
        sink: (e) => {
          events.push(e);
          // After the first epoch's checkpoint, the device goes away under the trainer.
          if (e.type === 'epoch' && e.epoch === 0)
            (tf.backend() as unknown as { device: GPUDevice }).device.destroy();
        },
      });
      expect(outcome.status).toBe('failed');
      expect(outcome.epochsDone).toBe(1);
      expect(outcome.error).toMatch(
        /^the GPU device was lost \(destroyed.*\); training cannot go on on it\. Resume the run to continue from its checkpoint after epoch 1\.$/,
      );
      const checkpoints = events.filter((e) => e.type === 'checkpoint');
      expect(checkpoints).toHaveLength(1);
      const saved = checkpoints[0] as Extract<TrainEvent, { type: 'checkpoint' }>;
      expect(fs.existsSync(saved.path)).toBe(true);

      // The checkpoint is whole: the run goes on from it on the CPU and finishes.
      await initBackend({ only: 'wasm' });
      const resumed = await train({
        config,
        checkpointDir,
        backend: 'wasm',
        resumeFrom: { path: saved.path, sha256: saved.sha256 },
        sink: () => undefined,
      });
      expect(resumed.error).toBeUndefined();
      expect(resumed).toMatchObject({ status: 'completed', epochsDone: 3 });
    },
    300_000,
  );
});
