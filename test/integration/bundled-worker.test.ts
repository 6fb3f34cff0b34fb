import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src-main/engine/config/build';
import type { FromWorker } from '../../src-main/runs/worker/protocol';
import { repoRoot } from '../helpers/paths';

/**
 * The training worker as the packaged desktop app runs it: the bundled JavaScript (electron-vite's
 * build, wasm binaries beside it), not the TypeScript sources. Run under Node, which loads it the
 * same way Electron's utility process does, on 2 threads, so its replica worker must be found and
 * load beside it.
 */
const outDir = path.join(repoRoot, 'out/main');

beforeAll(() => {
  execFileSync('npx', ['electron-vite', 'build'], { cwd: repoRoot, stdio: 'pipe' });
}, 180_000);

describe('bundled training worker', () => {
  it('loads, trains a run on 2 threads and reports it done', async () => {
    expect(fs.existsSync(path.join(outDir, 'replica-worker.js'))).toBe(true);
    const config = buildConfig({
      preset: 'fmnist-cnn',
      overrides: [
        'train.epochs=1',
        'data.dataset=synthetic',
        'data.trainLimit=64',
        'data.testLimit=32',
        'train.batchSize=32',
      ],
    });
    const child = fork(path.join(outDir, 'train-worker.js'), [], {
      env: { ...process.env, GLIF_WASM_DIR: path.join(outDir, 'wasm') },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const messages: FromWorker[] = [];
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.on('message', (m) => messages.push(m as FromWorker));
    child.send({
      type: 'start',
      runId: 'bundled',
      config,
      checkpointDir: fs.mkdtempSync(path.join(os.tmpdir(), 'glif-bundled-')),
      threads: 2,
    });
    expect(await exit, stderr).toBe(0);
    const started = messages.find((m) => m.type === 'event' && m.event.type === 'started');
    expect(started).toMatchObject({ event: { backend: 'wasm', threads: 2 } });
    const done = messages.find((m) => m.type === 'done');
    expect(done, stderr).toMatchObject({ outcome: { status: 'completed', epochsDone: 1 } });
  });
});
