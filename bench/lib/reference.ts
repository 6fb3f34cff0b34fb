import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Workload names of ../shared/bench/torch_reference.py. */
export type ReferenceWorkload = 'glif-layer' | 'fmnist-cnn' | 'resnet19-cifar' | 'fmnist-accuracy';

export type ReferenceResult =
  | {
      readonly ok: true;
      readonly framework: string;
      readonly threads: number;
      readonly figures: Record<string, number>;
    }
  | { readonly ok: false; readonly reason: string };

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared beside the checkout, as the tests find it. */
export const sharedDir = process.env.GLIF_SHARED_DIR ?? path.resolve(repoRoot, '../shared');
export const referenceScript = path.join(sharedDir, 'bench/torch_reference.py');
/** Debian's interpreter, which sees python3-torch (the reference's README says so). */
const PYTHON = process.env.GLIF_BENCH_PYTHON ?? '/usr/bin/python3';

/**
 * Runs the PyTorch reference for one workload in this process's run (same machine, same
 * moment), so ours/reference is a ratio measured side by side. Never throws: a missing
 * interpreter, torch or script becomes `ok: false` with the reason.
 */
export function runReference(
  workload: ReferenceWorkload,
  quick: boolean,
  timeoutMs = 4 * 3600_000,
): ReferenceResult {
  if (!fs.existsSync(referenceScript))
    return { ok: false, reason: `reference script not found: ${referenceScript}` };
  if (!fs.existsSync(PYTHON))
    return {
      ok: false,
      reason: `python interpreter ${PYTHON} not found (the reference needs /usr/bin/python3 with python3-torch)`,
    };
  const args = [referenceScript, '--only', workload, ...(quick ? ['--quick'] : [])];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 << 20 });
  if (r.error) return { ok: false, reason: `could not run ${PYTHON}: ${r.error.message}` };
  if (r.status !== 0) {
    const stderr = r.stderr.trim();
    const last = stderr.split('\n').pop() ?? '';
    if (/No module named 'torch'/.test(stderr))
      return { ok: false, reason: 'python3-torch is not installed (apt-get install -y python3-torch)' };
    return { ok: false, reason: `reference exited with ${r.status ?? r.signal}: ${last}` };
  }
  try {
    const out = JSON.parse(r.stdout) as {
      framework: string;
      threads: number;
      workloads: Record<string, Record<string, unknown>>;
    };
    const raw = out.workloads[workload];
    if (!raw) return { ok: false, reason: `reference printed no '${workload}' workload` };
    const figures: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'number') figures[k] = v;
    return { ok: true, framework: out.framework, threads: out.threads, figures };
  } catch (err) {
    return { ok: false, reason: `reference output is not JSON: ${(err as Error).message}` };
  }
}

/** The reference for a workload, or why there is none (`--no-reference`, missing torch, ...). */
export function referenceUnless(
  opts: { readonly noReference: boolean; readonly quick: boolean },
  workload: ReferenceWorkload,
): ReferenceResult {
  return opts.noReference
    ? { ok: false, reason: 'skipped (--no-reference)' }
    : runReference(workload, opts.quick);
}
