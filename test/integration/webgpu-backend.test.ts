/**
 * The webgpu backend (TF.js's webgpu backend on Dawn, the `webgpu` npm package), as a user runs it:
 * `glif info`, `glif parity --backend webgpu`, and `glif train --backend webgpu` against the same
 * run on wasm. Here Dawn's adapter is Mesa's software Vulkan (lavapipe, installed by
 * scripts/setup.sh); where Dawn finds no adapter at all, the tests that need one are reported as
 * skipped with the reason in their name, never passed without checking.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeAdapter, isSoftwareAdapter, probeWebGpu } from '../../src-main/engine/webgpu/adapters';
import { glifAsync } from '../helpers/cli';
import { parityFixtureDir as fixturesDir } from '../helpers/paths';

const probe = await probeWebGpu();
const NEEDS_ADAPTER = probe.ok
  ? `(on ${describeAdapter(probe.adapters[0])})`
  : `(runs only where Dawn finds a WebGPU adapter; not run here: ${probe.reason})`;
const softwareOnly = probe.ok && probe.adapters.every((a) => a.software);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-webgpu-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function never(): never {
  throw new Error('unreachable: the test runs only with an adapter');
}

/** The JSON document a `--json` command printed last (Dawn may print warnings before it). */
function lastJson(out: string): Record<string, unknown> {
  const start = out.lastIndexOf('\n{');
  return JSON.parse(out.slice(start < 0 ? out.indexOf('{') : start + 1)) as Record<string, unknown>;
}

describe('WebGPU adapters', () => {
  it('tells software rasterisers from GPUs by what they report', () => {
    expect(isSoftwareAdapter({ architecture: 'software', description: 'llvmpipe: Mesa 25.0.7' })).toBe(true);
    expect(isSoftwareAdapter({ description: 'SwiftShader Device (Subzero)' })).toBe(true);
    expect(isSoftwareAdapter({ isFallbackAdapter: true, description: 'x' })).toBe(true);
    expect(isSoftwareAdapter({ architecture: 'ampere', description: 'NVIDIA GeForce RTX 3080' })).toBe(false);
    expect(isSoftwareAdapter({ architecture: 'rdna-3', device: 'Radeon RX 7900 XTX' })).toBe(false);
    expect(
      describeAdapter({
        vendor: 'nvidia',
        architecture: 'ampere',
        device: 'ga102',
        description: 'NVIDIA GeForce RTX 3080',
        software: false,
      }),
    ).toBe('NVIDIA GeForce RTX 3080 (nvidia, ampere)');
  });
});

describe(`glif on the webgpu backend ${NEEDS_ADAPTER}`, () => {
  it.runIf(probe.ok && softwareOnly)(
    'glif info lists the software adapter and never picks it unasked',
    async () => {
      const r = await glifAsync(['info', '--json']);
      expect(r.status, r.out).toBe(0);
      const info = lastJson(r.out) as {
        backend: {
          active: string;
          candidates: Array<{
            name: string;
            available: boolean;
            byNameOnly?: boolean;
            reason?: string;
            adapters?: unknown[];
          }>;
        };
      };
      expect(info.backend.active).not.toBe('webgpu');
      const webgpu = info.backend.candidates.find((c) => c.name === 'webgpu')!;
      expect(webgpu.available).toBe(false);
      // Usable when asked for by name: the New-run form offers it (system.backends).
      expect(webgpu.byNameOnly).toBe(true);
      expect(webgpu.reason).toMatch(
        /only a software adapter .* never chosen automatically; --backend webgpu uses it/,
      );
      expect(webgpu.adapters).toEqual([expect.objectContaining({ software: true })]);
    },
  );

  it.runIf(probe.ok)(
    'passes every parity fixture with the ops neuron and with the fused WGSL kernels',
    async () => {
      const files = fs.readdirSync(fixturesDir).filter((f) => f.endsWith('.json'));
      const r = await glifAsync([
        'parity',
        '--backend',
        'webgpu',
        '--json',
        ...files.map((f) => path.join(fixturesDir, f)),
      ]);
      expect(r.status, r.out).toBe(0);
      const out = lastJson(r.out);
      expect(out).toMatchObject({
        backend: 'webgpu',
        impls: ['ops', 'fused'],
        passed: files.length,
        failed: 0,
        errors: 0,
      });
      expect(out.notRun).toBeUndefined();
      const outcomes = out.outcomes as Array<{ impl: string; status: string }>;
      expect(outcomes.filter((o) => o.impl === 'fused' && o.status === 'pass')).toHaveLength(files.length);
      const fused = await glifAsync([
        'parity',
        '--backend',
        'webgpu',
        '--impl',
        'fused',
        ...files.map((f) => path.join(fixturesDir, f)),
      ]);
      expect(fused.status, fused.out).toBe(0);
      expect(fused.out).toContain(
        `${files.length} passed, 0 failed, 0 errors (backend webgpu; neuron fused)`,
      );
    },
    300_000,
  );

  it.runIf(probe.ok)(
    'trains fmnist-cnn, ops and fused WGSL neuron, with the per-step losses of the run on wasm',
    async () => {
      const db = path.join(dir, 'runs.sqlite');
      const args = [
        'train',
        '--preset',
        'fmnist-cnn',
        '--db',
        db,
        '--json',
        '--set',
        'train.epochs=1',
        '--set',
        'data.trainLimit=64',
        '--set',
        'data.testLimit=32',
        '--set',
        'train.batchSize=32',
      ];
      // One thread and the ops neuron on both sides: the same computation, only the backend differs.
      const env = { GLIF_THREADS: '1', GLIF_NEURON_IMPL: 'ops' };
      const gpu = await glifAsync([...args, '--backend', 'webgpu'], env);
      expect(gpu.status, gpu.out).toBe(0);
      expect(lastJson(gpu.out)).toMatchObject({ status: 'completed', backend: 'webgpu' });
      const cpu = await glifAsync([...args, '--backend', 'wasm'], env);
      expect(cpu.status, cpu.out).toBe(0);
      // The automatic neuron on webgpu: the fused WGSL kernels.
      const fused = await glifAsync([...args, '--backend', 'webgpu'], { GLIF_THREADS: '1' });
      expect(fused.status, fused.out).toBe(0);
      expect(fused.out).toContain('on webgpu with the fused GLIF neuron');
      const runs = [lastJson(gpu.out).runId, lastJson(cpu.out).runId, lastJson(fused.out).runId] as string[];

      const store = new Database(db, { readonly: true });
      try {
        const losses = runs.map((id) =>
          (
            store
              .prepare("SELECT value FROM metrics WHERE run_id = ? AND name = 'train/loss' ORDER BY step")
              .all(id) as Array<{ value: number }>
          ).map((r) => r.value),
        );
        expect(losses[0]).toHaveLength(2);
        expect(losses[1]).toHaveLength(2);
        expect(losses[2]).toHaveLength(2);
        // Fused and ops on the same backend: bit-identical forward passes, gradients that differ
        // only in float32 summation order, so the second step's loss agrees far inside 1e-4.
        for (let i = 0; i < 2; i++)
          expect(Math.abs(losses[2][i] - losses[0][i])).toBeLessThan(1e-4 * losses[0][i]);
        // Same seed, weights, batches and op sequence. Convolutions sum in another order on the
        // GPU (float32 rounding ~1e-6 relative), which flips the odd membrane that sits within
        // rounding of the threshold; each flip moves the loss by ~1e-4. Measured here: 4e-4
        // relative at most over four steps. 1% would catch a wrong kernel or a lost update (a
        // step's loss changes by 2-15% at this learning rate), not rounding.
        for (let i = 0; i < 2; i++)
          expect(Math.abs(losses[0][i] - losses[1][i])).toBeLessThan(0.01 * losses[1][i]);
        const backends = runs.map(
          (id) =>
            (store.prepare('SELECT backend FROM runs WHERE id = ?').get(id) as { backend: string }).backend,
        );
        expect(backends).toEqual(['webgpu', 'wasm', 'webgpu']);
      } finally {
        store.close();
      }
      // The run names the adapter it computed on; the wasm run names none.
      const shown = await glifAsync(['runs', 'show', runs[0]!, '--db', db]);
      expect(shown.status, shown.out).toBe(0);
      expect(shown.out).toContain(`adapter: ${describeAdapter(probe.ok ? probe.adapters[0]! : never())}`);
      const plain = await glifAsync(['runs', 'show', runs[1]!, '--db', db]);
      expect(plain.out).not.toMatch(/^adapter:/m);
    },
    600_000,
  );
});
