/**
 * The torch engine's neuron and blocks (engine-torch/glif_torch) against the authors' parity
 * fixtures, as a user runs it: `glif parity --engine torch`, compared by the workbench with the
 * same checks and tolerances as its own engine; and the Python package's own unit tests. Where no
 * Python with PyTorch is found (scripts/setup.sh installs Debian's python3-torch), the tests that
 * need one are reported as skipped with the reason in their name. The refusals need no torch.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTorch, torchEngineDir, torchEnv, torchTooOld } from '../../src-main/engine/torch/python';
import { glifAsync } from '../helpers/cli';
import { parityFixtureDir as fixturesDir } from '../helpers/paths';

const probe = await findTorch();
const WHERE = probe.ok
  ? `(on ${probe.runtime.executable}, torch ${probe.runtime.torch})`
  : `(needs a Python with PyTorch; not run here: ${probe.reason})`;
const files = fs
  .readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => path.join(fixturesDir, f));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-torch-parity-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A stand-in interpreter that answers glif_torch.info with `info` (no Python needed). */
function fakePython(name: string, info: object): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\necho '${JSON.stringify(info)}'\n`, { mode: 0o755 });
  return file;
}

describe(`glif parity --engine torch ${WHERE}`, () => {
  it.runIf(probe.ok)(
    'passes every fixture: spikes identical, membranes and gradients in tolerance',
    async () => {
      const r = await glifAsync(['parity', '--engine', 'torch', '--json', ...files]);
      expect(r.status, r.out).toBe(0);
      const out = JSON.parse(r.out.slice(r.out.indexOf('{'))) as {
        engine: string;
        passed: number;
        failed: number;
        errors: number;
        outcomes: Array<{ impl: string; status: string; checks: Array<{ name: string }> }>;
      };
      expect(out).toMatchObject({ engine: 'torch', passed: files.length, failed: 0, errors: 0 });
      expect(out.outcomes.every((o) => o.impl === 'torch' && o.status === 'pass')).toBe(true);
      // The block cases compare the inner neuron and the tdBN running statistics too.
      const block = out.outcomes.find((o) => o.checks.some((c) => c.name === 'spikes.body.1'));
      expect(block?.checks.map((c) => c.name)).toEqual(
        expect.arrayContaining(['membrane.lif', 'grad.body.0.0.weight', 'body.0.1.running_var']),
      );
    },
  );

  it.runIf(probe.ok)('fails a fixture whose reference was changed, naming what differs', async () => {
    const f = JSON.parse(fs.readFileSync(files[0], 'utf8')) as {
      tensors: { spikes: { data: number[] } };
      grads: { input: { data: number[] } };
    };
    f.tensors.spikes.data[3] = 1 - f.tensors.spikes.data[3];
    f.grads.input.data[0] += 0.01;
    const changed = path.join(dir, 'changed.json');
    fs.writeFileSync(changed, JSON.stringify(f));
    const r = await glifAsync(['parity', '--engine', 'torch', changed]);
    expect(r.status, r.out).toBe(1);
    expect(r.out).toMatch(/FAIL changed\.json \[pytorch .*\] spikes 1\/\d+ differ/);
    expect(r.out).toMatch(/grad\.input 1\.0e-2 \[1\/\d+ out of tolerance\]/);
  });

  it.runIf(probe.ok)(
    'glif info reports the interpreter, torch, CUDA and the distributed backends',
    async () => {
      const r = await glifAsync(['info']);
      expect(r.status, r.out).toBe(0);
      const runtime = probe.ok ? probe.runtime : undefined;
      expect(r.out).toContain(
        `Torch engine (--engine torch): pytorch ${runtime?.torch} · ${runtime?.cuda ? 'cuda' : 'cpu'}`,
      );
      expect(r.out).toMatch(new RegExp(`python ${runtime?.pythonVersion} \\(${runtime?.executable}`));
      expect(r.out).toMatch(/distributed: gloo/);
    },
  );

  it.runIf(probe.ok)("passes the Python package's own tests", () => {
    const root = torchEngineDir();
    const r = spawnSync(
      probe.ok ? probe.runtime.python : 'python3',
      ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'],
      {
        cwd: root,
        env: { ...torchEnv(), GLIF_PARITY_FIXTURES: fixturesDir },
        encoding: 'utf8',
        timeout: 110_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^OK/m);
  });
});

describe('glif parity --engine torch where it cannot run', () => {
  it('says which interpreter is missing, exit 2', async () => {
    const r = await glifAsync(['parity', '--engine', 'torch', files[0]], {
      GLIF_PYTHON: path.join(dir, 'no-such-python'),
    });
    expect(r.status).toBe(2);
    expect(r.out.trim()).toMatch(
      /^glif parity: the torch engine cannot run: no Python interpreter '.*no-such-python'; /,
    );
    expect(r.out.trim().split('\n')).toHaveLength(1);
  });

  it('names a Python without torch and one whose torch is too old, exit 2', async () => {
    const none = fakePython('py-none', {
      python: '3.11.2',
      executable: '/x/python',
      torch: null,
      error: 'No module named torch',
    });
    const r1 = await glifAsync(['parity', '--engine', 'torch', files[0]], { GLIF_PYTHON: none });
    expect(r1.status).toBe(2);
    expect(r1.out).toMatch(/has no PyTorch \(No module named torch\); install PyTorch/);
    const old = fakePython('py-old', { python: '3.9.2', executable: '/x/python', torch: '1.12.1' });
    const r2 = await glifAsync(['parity', '--engine', 'torch', files[0]], { GLIF_PYTHON: old });
    expect(r2.status).toBe(2);
    expect(r2.out).toMatch(/has PyTorch 1\.12\.1; the torch engine needs 1\.13 or newer/);
    expect(torchTooOld('2.0.1')).toBe(false);
    expect(torchTooOld('1.13.0a0')).toBe(false);
  });

  it('glif info says the torch engine is unavailable and why, and still succeeds', async () => {
    const r = await glifAsync(['info', '--json'], { GLIF_PYTHON: path.join(dir, 'no-such-python') });
    expect(r.status, r.out).toBe(0);
    const info = JSON.parse(r.out.slice(r.out.indexOf('{'))) as {
      torchEngine: { ok: boolean; reason: string };
    };
    expect(info.torchEngine).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no Python interpreter/),
    });
  });

  it('refuses the tfjs engine flags and an unknown engine', async () => {
    const r = await glifAsync(['parity', '--engine', 'torch', '--backend', 'wasm', files[0]]);
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/--engine torch takes neither/);
    const bad = await glifAsync(['parity', '--engine', 'jax', files[0]]);
    expect(bad.status).toBe(2);
    expect(bad.out).toMatch(/unknown engine 'jax'; expected one of tfjs, torch/);
  });
});
