/**
 * The torch engine refuses more processes than CUDA GPUs before starting any rank: each rank takes
 * cuda:LOCAL_RANK, so the ranks past the GPU count would die with "invalid device ordinal".
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig } from '../../src-main/engine/config/build';
import { torchProcessesRefusal, type TorchRuntime } from '../../src-main/engine/torch/python';
import type { FromWorker } from '../../src-main/runs/worker/protocol';
import { launchTorchWorker } from '../../src-main/runs/worker/torch-launch';
import { glif } from '../helpers/cli';

function runtime(gpus: number, cuda = gpus > 0): TorchRuntime {
  return {
    python: 'python3',
    executable: '/usr/bin/python3',
    pythonVersion: '3.11.2',
    torch: '2.3.1',
    cuda,
    cudaVersion: cuda ? '12.1' : null,
    gloo: true,
    nccl: cuda,
    gpus: Array.from({ length: gpus }, (_, i) => `GPU ${i}`),
  };
}

describe('torchProcessesRefusal', () => {
  it('refuses more processes than CUDA GPUs, naming the count to set', () => {
    expect(torchProcessesRefusal(runtime(2), 4)).toBe(
      'engine.processes=4 but this machine has 2 CUDA GPUs: set engine.processes=2 (one process a GPU), ' +
        'or hide the GPUs (CUDA_VISIBLE_DEVICES=) to train on the CPU',
    );
    expect(torchProcessesRefusal(runtime(1), 2)).toMatch(
      /^engine\.processes=2 but this machine has 1 CUDA GPU: /,
    );
    expect(torchProcessesRefusal(runtime(3), 4)).toMatch(/set engine\.processes=3 /);
  });

  it('accepts up to one process a GPU', () => {
    for (const n of [1, 2, 3, 4]) expect(torchProcessesRefusal(runtime(4), n), `${n}`).toBeNull();
    expect(torchProcessesRefusal(runtime(8), 4)).toBeNull();
  });

  it('accepts any count on the CPU (no CUDA, or CUDA without a device)', () => {
    expect(torchProcessesRefusal(runtime(0), 4)).toBeNull();
    expect(torchProcessesRefusal(runtime(0, true), 4)).toBeNull();
    expect(torchProcessesRefusal({ ...runtime(2), cuda: false }, 4)).toBeNull();
  });
});

/**
 * A Python whose glif_torch.info reports two CUDA GPUs; it would also be each rank, and one
 * started would leave a mark.
 */
function twoGpuPython(dir: string): { python: string; marks: string } {
  const marks = path.join(dir, 'ranks');
  const python = path.join(dir, 'python');
  const info = JSON.stringify({ ...runtime(2), python: '3.11.2', pythonVersion: undefined });
  fs.writeFileSync(
    python,
    `#!/bin/sh\nif [ "$2" = glif_torch.info ]; then echo '${info}'; else echo rank >> '${marks}'; fi\n`,
    { mode: 0o755 },
  );
  return { python, marks };
}

describe('glif train', () => {
  it('refuses before it records a run', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-gpus-cli-'));
    try {
      const { python, marks } = twoGpuPython(dir);
      const db = path.join(dir, 'runs.sqlite');
      const r = glif(
        ['train', '--preset', 'fmnist-cnn', '--engine', 'torch', '--set', 'engine.processes=4', '--db', db],
        { env: { GLIF_PYTHON: python } },
      );
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        /glif train: the torch engine cannot run: engine\.processes=4 but this machine has 2 CUDA GPUs: set engine\.processes=2 /,
      );
      expect(fs.existsSync(db)).toBe(false);
      expect(fs.existsSync(marks)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the torch launcher', () => {
  it('fails the run with that line before it starts a rank', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-gpus-'));
    try {
      const { python, marks } = twoGpuPython(dir);
      const handle = launchTorchWorker({ ...process.env, GLIF_PYTHON: python });
      const messages: FromWorker[] = [];
      handle.onMessage((m) => messages.push(m));
      const exit = new Promise<number | null>((resolve) => handle.onExit((code) => resolve(code)));
      const config = buildConfig({
        preset: 'fmnist-cnn',
        overrides: ['engine.name=torch', 'engine.processes=4'],
      });
      handle.send({ type: 'start', runId: 'r1', config, checkpointDir: path.join(dir, 'ckpt') });
      expect(await exit).toBe(2);
      expect(messages).toEqual([
        {
          type: 'done',
          outcome: {
            status: 'failed',
            error: expect.stringMatching(
              /^the torch engine cannot run: engine\.processes=4 but this machine has 2 CUDA GPUs: set engine\.processes=2 /,
            ),
            epochsDone: 0,
            seconds: 0,
          },
        },
      ]);
      expect(fs.existsSync(marks)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
