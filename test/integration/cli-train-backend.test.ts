/**
 * `glif train --backend`: recorded as the run's requested backend, so `--resume` asks for it again
 * (and `--resume --backend` overrides it for that attempt). tensorflow-gpu is not installed here:
 * each attempt fails at once with the backend's reason, so nothing trains.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { glif } from '../helpers/cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-cli-backend-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const UNAVAILABLE = "TensorFlow.js backend 'tensorflow-gpu' is not available: package not installed";

describe('glif train --backend', () => {
  const db = path.join(tmp, 'runs.sqlite');

  it('records the backend with the run; --resume asks for it again; runs show prints it', () => {
    const first = glif([
      'train',
      '--preset',
      'synthetic-mlp',
      '--db',
      db,
      '--backend',
      'tensorflow-gpu',
      '--set',
      'train.epochs=1',
      '--json',
    ]);
    expect(first.status, first.stderr).toBe(1);
    const summary = JSON.parse(first.stdout) as { runId: string; status: string; error: string };
    expect(summary.status).toBe('failed');
    expect(summary.error).toContain(UNAVAILABLE);
    expect(summary.error).toContain('To enable it:');

    // No --backend: the run's own request, not the automatic choice (which would train on wasm).
    const resumed = glif(['train', '--resume', summary.runId, '--db', db, '--json']);
    expect(resumed.status, resumed.stderr).toBe(1);
    expect((JSON.parse(resumed.stdout) as { error: string }).error).toContain(UNAVAILABLE);

    const shown = glif(['runs', 'show', summary.runId, '--db', db]);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^backend: \S+ \(requested: tensorflow-gpu\)/m);
    const json = JSON.parse(glif(['runs', 'show', summary.runId, '--db', db, '--json']).stdout) as {
      requestedBackend: string | null;
    };
    expect(json.requestedBackend).toBe('tensorflow-gpu');
  });

  it('refuses an unknown backend before anything is written', () => {
    const bad = glif([
      'train',
      '--preset',
      'synthetic-mlp',
      '--db',
      path.join(tmp, 'bad.sqlite'),
      '--backend',
      'gpu',
    ]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("--backend: unknown backend 'gpu'");
    expect(fs.existsSync(path.join(tmp, 'bad.sqlite'))).toBe(false);
  });
});
