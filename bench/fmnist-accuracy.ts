/**
 * Workload `fmnist-accuracy` (shared/bench/README.md): one epoch of the real Fashion-MNIST with
 * the fmnist-cnn recipe (batch 64, lr 0.1 cosine to 0 over the epoch's steps, gates lr/10,
 * weight decay 5e-5 except on GLIF parameters, no augmentation), then test accuracy.
 *
 * Ours is the product as a user runs it, `glif train --preset fmnist-cnn`, in a child process
 * with a throw-away run database. --quick uses the reference's subset (2048 train, 1024 test).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestedNeuronImpl, resolveNeuronImpl } from '../src-main/engine/glif/impl';
import type { BenchOptions } from './lib/options';
import { runReference } from './lib/reference';
import type { WorkloadResult } from './lib/report';
import { isMain, runWorkloadScript } from './lib/setup';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface TrainSummary {
  status: string;
  backend: string | null;
  seconds: number;
  final: { testAccuracy: number | null; trainAccuracy: number | null };
  error?: string | null;
}

function trainOnce(opts: BenchOptions, db: string): Promise<TrainSummary> {
  const args = [
    path.join(repoRoot, 'bin/glif.mjs'),
    'train',
    '--preset',
    'fmnist-cnn',
    '--json',
    '--db',
    db,
    '--name',
    'bench fmnist-accuracy',
  ];
  if (opts.quick) args.push('--set', 'data.trainLimit=2048', '--set', 'data.testLimit=1024');
  if (opts.backend) args.push('--backend', opts.backend);
  return new Promise((resolve, reject) => {
    // Progress (stderr) goes straight to the terminal; the JSON summary comes on stdout.
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as TrainSummary);
      } catch {
        reject(new Error(`glif train exited with ${code} and no JSON summary:\n${out.slice(-2000)}`));
      }
    });
  });
}

export async function benchFmnistAccuracy(opts: BenchOptions): Promise<WorkloadResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-bench-acc-'));
  let summary: TrainSummary;
  try {
    summary = await trainOnce(opts, path.join(tmp, 'runs.sqlite'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (summary.status !== 'completed')
    throw new Error(`training ${summary.status}: ${summary.error ?? 'no error message'}`);
  const trainSamples = opts.quick ? 2048 : 60000;
  const reference = opts.noReference
    ? { ok: false as const, reason: 'skipped (--no-reference)' }
    : runReference('fmnist-accuracy', opts.quick);
  return {
    workload: 'fmnist-accuracy',
    backend: summary.backend ?? 'unknown',
    // What the child resolved: same env var, same backend (tfjs names both native packages 'tensorflow').
    neuron: resolveNeuronImpl(
      requestedNeuronImpl(),
      true,
      summary.backend === 'tensorflow-gpu' ? 'tensorflow' : (summary.backend ?? ''),
    ),
    shape: `fmnist-cnn, T=4, batch 64, one epoch on ${trainSamples} images, test on ${opts.quick ? 1024 : 10000}`,
    metrics: [
      {
        name: 'run wall time',
        unit: 's',
        ours: summary.seconds,
        referenceKey: 'train_seconds',
        better: 'lower',
      },
      {
        name: 'train',
        unit: 'samples/s',
        ours: trainSamples / summary.seconds,
        referenceKey: 'train_samples_per_s',
        better: 'higher',
      },
      {
        name: 'test accuracy',
        unit: '%',
        ours: (summary.final.testAccuracy ?? NaN) * 100,
        referenceKey: 'test_accuracy_pct',
        better: 'higher',
      },
    ],
    reference: reference.ok
      ? {
          ...reference,
          figures: {
            ...reference.figures,
            test_accuracy_pct: (reference.figures.test_accuracy ?? NaN) * 100,
          },
        }
      : reference,
    notes: [
      'our wall time is the whole run (training, the end-of-epoch test pass, metrics and checkpoint); the reference times training only',
      `reference test accuracy: ${reference.ok ? `${((reference.figures.test_accuracy ?? NaN) * 100).toFixed(2)}%` : 'unavailable'}; ours: ${((summary.final.testAccuracy ?? NaN) * 100).toFixed(2)}%`,
    ],
  };
}

if (isMain(import.meta.url))
  await runWorkloadScript(
    'fmnist-accuracy',
    'Usage: npm run bench:fmnist-accuracy -- [options]   (one epoch: long)',
    benchFmnistAccuracy,
  );
