import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src-main/engine/backend';
import { checkPassed, formatCheck } from '../../src-main/engine/parity/compare';
import { runParityFile } from '../../src-main/engine/parity/run-fixture';
import { availableBackends } from '../helpers/backends';
import {
  glifBin,
  parityFixtureDir,
  sharedParityFixtureDir,
  sharedParityPresent,
  vendoredParityFixtureDir,
} from '../helpers/paths';

const fixtures = fs
  .readdirSync(parityFixtureDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const backends = await availableBackends();

describe('parity fixtures are present', () => {
  it('finds the parity fixtures of every kind', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(19);
    for (const prefix of [
      'a_',
      'b_',
      'c_',
      'd_simplex_',
      'd_glif_f',
      'd_glif_hard',
      'd_glif_s',
      'e_',
      'e2_',
      'f_block_',
    ]) {
      expect(
        fixtures.some((f) => f.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
  });

  // Outside CI a clone may have no ../shared: then there is nothing to compare the copy with, and
  // the test says so by being skipped. In CI, where ../shared is always cloned, it must be there.
  it.skipIf(!sharedParityPresent && !process.env.CI)(
    'keeps its in-repo copy identical to the shared fixtures, byte for byte (skipped outside CI without ../shared)',
    () => {
      if (!sharedParityPresent) {
        throw new Error(
          `the shared parity fixtures are missing: no ${sharedParityFixtureDir} ` +
            '(CI clones shared/ beside the checkout; GLIF_SHARED_DIR names another place)',
        );
      }
      // Two different folders, each listed on its own: never the copy compared with itself.
      expect(path.resolve(vendoredParityFixtureDir)).not.toBe(path.resolve(sharedParityFixtureDir));
      const json = (dir: string) =>
        fs
          .readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .sort();
      const shared = json(sharedParityFixtureDir);
      expect(shared.length).toBeGreaterThanOrEqual(19);
      // A fixture the authors add or update must be copied again.
      expect(json(vendoredParityFixtureDir)).toEqual(shared);
      for (const f of shared) {
        const copy = fs.readFileSync(path.join(vendoredParityFixtureDir, f));
        expect(copy.equals(fs.readFileSync(path.join(sharedParityFixtureDir, f))), f).toBe(true);
      }
    },
  );
});

const impls = ['ops', 'fused'] as const;
const runs = backends.flatMap((backend) => impls.map((impl) => [backend, impl] as const));

describe.each(runs)('GLIF parity on the %s backend, %s neuron', (backend, impl) => {
  it.each(fixtures)('%s', async (file) => {
    await initBackend({ only: backend });
    const before = tf.memory().numTensors;
    const outcome = await runParityFile(path.join(parityFixtureDir, file), { impl, backend });
    expect(outcome.impl).toBe(impl);
    if (outcome.status === 'error') throw new Error(outcome.message);
    const failed = outcome.checks.filter((c) => !checkPassed(c));
    expect(failed.map(formatCheck)).toEqual([]);
    expect(outcome.status).toBe('pass');
    expect(tf.memory().numTensors, 'tensors left behind').toBe(before);
  });
});

function glif(args: string[]) {
  return spawnSync(process.execPath, [glifBin, ...args], { encoding: 'utf8', timeout: 100_000 });
}

describe('glif parity command', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-parity-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('passes every shared fixture with one line per file and neuron implementation', () => {
    const r = glif(['parity', ...fixtures.map((f) => path.join(parityFixtureDir, f))]);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => /^(PASS|FAIL|ERROR) /.test(l));
    expect(lines).toHaveLength(2 * fixtures.length);
    expect(lines.every((l) => l.startsWith('PASS '))).toBe(true);
    for (const impl of impls) {
      expect(lines.filter((l) => new RegExp(`^PASS \\S+ \\[\\w+/${impl}\\] `).test(l))).toHaveLength(
        fixtures.length,
      );
    }
    expect(r.stdout).toMatch(
      new RegExp(`${fixtures.length} passed, 0 failed, 0 errors \\(backend \\w+; neuron ops, fused\\)`),
    );
    for (const l of lines.filter((x) => x.includes('d_simplex_100')))
      expect(l).toMatch(/grad\.leak 0\.0e\+0 \(zero\)/);
  });

  it('runs one implementation when asked (--impl), and the fused one under auto on cpu', () => {
    const file = path.join(parityFixtureDir, 'a_cw_cifar_default_T4.json');
    const ops = glif(['parity', '--impl', 'ops', file]);
    expect(ops.status).toBe(0);
    expect(ops.stdout).toMatch(/^PASS a_cw_cifar_default_T4\.json \[\w+\/ops\] spikes 0\/96 differ/m);
    expect(ops.stdout).not.toMatch(/fused/);
    const auto = glif(['parity', '--backend', 'cpu', '--impl', 'auto', '--json', file]);
    expect(auto.status).toBe(0);
    const report = JSON.parse(auto.stdout);
    expect(report).toMatchObject({ backend: 'cpu', impls: ['fused'], passed: 1, failed: 0, errors: 0 });
    expect(report.outcomes).toHaveLength(1);
    expect(report.outcomes[0]).toMatchObject({ impl: 'fused', status: 'pass' });
    const bad = glif(['parity', '--impl', 'gpu', file]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--impl: unknown GLIF neuron implementation 'gpu'/);
  });

  it('fails (exit 1) a fixture whose reference numbers were changed', () => {
    const fixture = JSON.parse(
      fs.readFileSync(path.join(parityFixtureDir, 'c_cw_perturbed_T5.json'), 'utf8'),
    );
    fixture.tensors.membrane.data[7] += 1e-3;
    fixture.grads.tau.data[0] *= 1.01;
    const file = path.join(tmp, 'changed.json');
    fs.writeFileSync(file, JSON.stringify(fixture));
    const r = glif(['parity', file]);
    expect(r.status).toBe(1);
    for (const impl of impls) {
      expect(r.stdout).toMatch(
        new RegExp(
          `^FAIL changed\\.json \\[\\w+/${impl}\\] .*membrane 1\\.0e-3 \\[1/540 out of tolerance\\].*grad\\.tau .*\\[1/4 out of tolerance\\]`,
          'm',
        ),
      );
    }
    expect(r.stdout).toMatch(/^0 passed, 1 failed, 0 errors/m);
  });

  it('fails a spike that differs', () => {
    const fixture = JSON.parse(
      fs.readFileSync(path.join(parityFixtureDir, 'a_cw_cifar_default_T4.json'), 'utf8'),
    );
    fixture.tensors.spikes.data[3] = 1 - fixture.tensors.spikes.data[3];
    const file = path.join(tmp, 'spike.json');
    fs.writeFileSync(file, JSON.stringify(fixture));
    const r = glif(['parity', file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/spikes 1\/96 differ/);
  });

  it('reports malformed and unsupported files clearly (exit 2, no stack trace)', () => {
    const notJson = path.join(tmp, 'broken.json');
    fs.writeFileSync(notJson, '{"schema": "glif-parity/1", ');
    const wrongSchema = path.join(tmp, 'schema.json');
    fs.writeFileSync(wrongSchema, JSON.stringify({ schema: 'other/2' }));
    const unsupported = path.join(tmp, 'unsupported.json');
    const f = JSON.parse(fs.readFileSync(path.join(parityFixtureDir, 'a_cw_cifar_default_T4.json'), 'utf8'));
    f.official.class = 'LIFSpike_Mystery';
    fs.writeFileSync(unsupported, JSON.stringify(f));
    const badShape = path.join(tmp, 'shape.json');
    const g = JSON.parse(fs.readFileSync(path.join(parityFixtureDir, 'a_cw_cifar_default_T4.json'), 'utf8'));
    g.tensors.input.data.pop();
    fs.writeFileSync(badShape, JSON.stringify(g));
    const r = glif(['parity', notJson, wrongSchema, unsupported, badShape, path.join(tmp, 'missing.json')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^ERROR broken\.json: not valid JSON/m);
    expect(r.stdout).toMatch(/^ERROR schema\.json: not a glif-parity\/1 fixture: schema/m);
    expect(r.stdout).toMatch(/^ERROR unsupported\.json: unsupported official class 'LIFSpike_Mystery'/m);
    expect(r.stdout).toMatch(/^ERROR shape\.json: .*tensors\.input.*data length does not match/m);
    expect(r.stdout).toMatch(/^ERROR missing\.json: file not found/m);
    // A file that cannot be used is reported once, not once per implementation.
    expect(r.stdout.split('\n').filter((l) => l.startsWith('ERROR '))).toHaveLength(5);
    expect(r.stdout).toMatch(/^0 passed, 0 failed, 5 errors/m);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to run without files', () => {
    const r = glif(['parity']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no fixture files given/);
  });
});
