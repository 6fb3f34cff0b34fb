/**
 * Workload `fmnist-accuracy` (shared/bench/README.md): one epoch of the real Fashion-MNIST with
 * the fmnist-cnn recipe (batch 64, lr 0.1 cosine to 0 over the epoch's steps, gates lr/10,
 * weight decay 5e-5 except on GLIF parameters, no augmentation), then test accuracy.
 *
 * End to end, as whole processes, alternated round by round: ours is the product as a user runs
 * it, `glif train --preset fmnist-cnn`, in a child process with a throw-away run database; then
 * the reference, `torch_reference.py --only fmnist-accuracy`, as its own process. Each round
 * gives the ratio of whole-process wall times, both test accuracies and both peak RSS. --quick
 * uses the reference's subset (2048 train, 1024 test).
 *
 * Round k (from 0) trains both sides with seed k: ours with train.seed=k, the reference through
 * lib/reference_seeded.py, which gives its weight and data-order seeds (both 0 as shipped) the
 * value k. After 32 steps one seed's accuracy varies by several points either way, so accuracy is
 * compared as the difference of the means over the rounds, with its standard error.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { watchLoad, oursThreads, progress } from './lib/interleave';
import { roundsOf, type BenchOptions } from './lib/options';
import {
  PYTHON,
  referenceMissing,
  referenceScript,
  TORCH_MISSING,
  type ReferenceInfo,
} from './lib/reference';
import type { Metric, Round, WorkloadResult } from './lib/report';
import { benchNeuronImpl, isMain, runWorkloadScript } from './lib/setup';
import { sleep } from './lib/timing';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Runs the reference unchanged with its two seeds set to the round's (see the header). */
const seededReferenceScript = path.join(repoRoot, 'bench/lib/reference_seeded.py');
/** GNU time (Debian package `time`): `-f %M` is the child's peak RSS in KiB. GLIF_BENCH_GNU_TIME overrides the path. */
const GNU_TIME = process.env.GLIF_BENCH_GNU_TIME ?? '/usr/bin/time';

interface TrainSummary {
  status: string;
  backend: string | null;
  seconds: number;
  final: { testAccuracy: number | null; trainAccuracy: number | null };
  error?: string | null;
}

interface ProcessRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** The last few KiB of stderr when it was captured, else ''. */
  readonly stderr: string;
  /** Spawn to exit, in seconds. */
  readonly wallS: number;
  /** Peak resident set size in MiB, or null when it could not be measured. */
  readonly peakRssMiB: number | null;
}

/** How peak RSS is measured here: GNU time when installed, else polling the child's VmHWM. */
export const rssMethod = fs.existsSync(GNU_TIME)
  ? `${GNU_TIME} -f %M (the child's peak RSS)`
  : '/proc/<pid>/status VmHWM polled every 50 ms (growth in the last 50 ms before exit is missed)';

function readVmHwmKiB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a command to its end, measuring its wall time and peak RSS. The child's stderr goes to
 * the terminal (`inheritStderr`) or is kept (its tail) for error messages.
 */
export function measuredRun(command: string, args: string[], inheritStderr: boolean): Promise<ProcessRun> {
  const useTime = fs.existsSync(GNU_TIME);
  const tmp = useTime ? fs.mkdtempSync(path.join(os.tmpdir(), 'glif-bench-rss-')) : undefined;
  const rssFile = tmp ? path.join(tmp, 'rss') : undefined;
  const [cmd, argv] = rssFile ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', inheritStderr ? 'inherit' : 'pipe'],
      env: process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => (stdout += d));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
    let hwmKiB = 0;
    const poll =
      !useTime && child.pid !== undefined
        ? setInterval(() => (hwmKiB = Math.max(hwmKiB, readVmHwmKiB(child.pid!) ?? 0)), 50)
        : undefined;
    child.on('error', (err) => {
      if (poll) clearInterval(poll);
      reject(new Error(`could not run ${command}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      const wallS = (performance.now() - t0) / 1e3;
      if (poll) clearInterval(poll);
      let peakKiB: number | undefined = hwmKiB > 0 ? hwmKiB : undefined;
      if (rssFile) {
        // GNU time writes "Command exited with non-zero status N" before the figure on failure.
        const last = (fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8') : '')
          .trim()
          .split('\n')
          .pop();
        peakKiB = last && /^\d+$/.test(last) ? Number(last) : undefined;
        fs.rmSync(tmp!, { recursive: true, force: true });
      }
      resolve({
        code,
        signal,
        stdout,
        stderr,
        wallS,
        peakRssMiB: peakKiB === undefined ? null : peakKiB / 1024,
      });
    });
  });
}

/** Ours: `glif train` as a user runs it, with a throw-away run database. */
async function oursOnce(
  opts: BenchOptions,
  seed: number,
): Promise<{ run: ProcessRun; summary: TrainSummary }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-bench-acc-'));
  const args = [
    path.join(repoRoot, 'bin/glif.mjs'),
    'train',
    '--preset',
    'fmnist-cnn',
    '--set',
    'train.epochs=1',
    '--set',
    `train.seed=${seed}`,
    ...(opts.quick ? ['--set', 'data.trainLimit=2048', '--set', 'data.testLimit=1024'] : []),
    '--json',
    '--db',
    path.join(tmp, 'runs.sqlite'),
    ...(opts.backend ? ['--backend', opts.backend] : []),
  ];
  let run: ProcessRun;
  try {
    // Progress (stderr) goes straight to the terminal; the JSON summary comes on stdout.
    run = await measuredRun(process.execPath, args, true);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  let summary: TrainSummary;
  try {
    summary = JSON.parse(run.stdout) as TrainSummary;
  } catch {
    throw new Error(
      `glif train exited with ${run.code ?? run.signal} and no JSON summary: ${run.stdout.slice(-500)}`,
    );
  }
  if (summary.status !== 'completed')
    throw new Error(`training ${summary.status}: ${summary.error ?? 'no error message'}`);
  return { run, summary };
}

interface ReferenceRun {
  readonly framework: string;
  readonly threads: number;
  readonly figures: Record<string, number>;
}

/** The reference as its own whole process; a string says why it did not give figures. */
async function referenceOnce(quick: boolean, seed: number): Promise<ReferenceRun | string> {
  const missing = referenceMissing();
  if (missing) return missing;
  const args = [
    seededReferenceScript,
    String(seed),
    referenceScript,
    '--only',
    'fmnist-accuracy',
    ...(quick ? ['--quick'] : []),
  ];
  let run: ProcessRun;
  try {
    run = await measuredRun(PYTHON, args, false);
  } catch (err) {
    return (err as Error).message;
  }
  if (run.code !== 0) {
    if (/No module named 'torch'/.test(run.stderr)) return TORCH_MISSING;
    return `reference exited with ${run.code ?? run.signal}: ${run.stderr.trim().split('\n').pop() ?? ''}`;
  }
  try {
    const out = JSON.parse(run.stdout) as {
      framework: string;
      threads: number;
      workloads: Record<string, Record<string, unknown>>;
    };
    const raw = out.workloads['fmnist-accuracy'];
    if (!raw) return "reference printed no 'fmnist-accuracy' workload";
    const figures: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'number') figures[k] = v;
    figures.test_accuracy_pct = (figures.test_accuracy ?? NaN) * 100;
    figures.process_seconds = run.wallS;
    if (run.peakRssMiB !== null) figures.peak_rss_mib = run.peakRssMiB;
    return { framework: out.framework, threads: out.threads, figures };
  } catch (err) {
    return `reference output is not JSON: ${(err as Error).message}`;
  }
}

const signed = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;

/**
 * Mean test accuracy of each side over its seeds and the difference of the means with its
 * standard error (Welch: each side's own variance), as a line for the notes.
 */
export function compareMeans(ours: readonly number[], theirs: readonly number[]): string {
  const stats = (xs: readonly number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : NaN;
    return { mean, sd: Math.sqrt(variance), n: xs.length };
  };
  const o = stats(ours);
  if (theirs.length === 0)
    return `test accuracy over ${o.n} seeds: ours ${o.mean.toFixed(2)}% (sd ${o.sd.toFixed(2)})`;
  const t = stats(theirs);
  const se = Math.sqrt((o.sd * o.sd) / o.n + (t.sd * t.sd) / t.n);
  const diff = o.mean - t.mean;
  const seText = Number.isFinite(se)
    ? ` ± ${se.toFixed(2)} (standard error; ${(diff / se).toFixed(2)} of them)`
    : ' (one seed: no spread, run more rounds)';
  return `test accuracy over ${o.n} seeds: ours ${o.mean.toFixed(2)}% (sd ${o.sd.toFixed(2)}), reference ${t.mean.toFixed(2)}% (sd ${t.sd.toFixed(2)}); difference of the means ${signed(diff)} points${seText}`;
}

const METRICS: Metric[] = [
  { name: 'process wall time', unit: 's', referenceKey: 'process_seconds', better: 'lower' },
  { name: 'test accuracy', unit: '%', referenceKey: 'test_accuracy_pct', better: 'higher' },
  { name: 'peak RSS', unit: 'MiB', referenceKey: 'peak_rss_mib', better: 'lower' },
  // The trainer's own figure (training, test pass, metrics, checkpoint); the reference has no equivalent.
  { name: 'run wall time', unit: 's', better: 'lower' },
];

export async function benchFmnistAccuracy(opts: BenchOptions): Promise<WorkloadResult> {
  const load = watchLoad();
  const rounds = roundsOf(opts, { quick: 8, full: 1 });
  let reference: ReferenceInfo = opts.noReference
    ? { ok: false, reason: 'skipped (--no-reference)' }
    : { ok: false, reason: 'not run' };
  let referenceUsable = !opts.noReference;
  const out: Round[] = [];
  const notes: string[] = [];
  let backend = 'unknown';
  for (let i = 1; i <= rounds; i++) {
    const seed = i - 1;
    progress(`fmnist-accuracy: round ${i}/${rounds}, seed ${seed}: ours (glif train)`);
    const { run, summary } = await oursOnce(opts, seed);
    backend = summary.backend ?? 'unknown';
    const ours: Record<string, number> = {
      'process wall time [s]': run.wallS,
      'test accuracy [%]': (summary.final.testAccuracy ?? NaN) * 100,
      'run wall time [s]': summary.seconds,
    };
    if (run.peakRssMiB !== null) ours['peak RSS [MiB]'] = run.peakRssMiB;
    let ref: Record<string, number> | undefined;
    if (referenceUsable) {
      await sleep(100);
      progress(`fmnist-accuracy: round ${i}/${rounds}, seed ${seed}: reference (torch_reference.py)`);
      const r = await referenceOnce(opts.quick, seed);
      if (typeof r === 'string') {
        referenceUsable = false;
        if (reference.ok) notes.push(`the reference failed in round ${i}: ${r}; later rounds are ours only`);
        else reference = { ok: false, reason: r };
      } else {
        reference = { ok: true, framework: r.framework, threads: r.threads };
        ref = r.figures;
      }
    }
    out.push(ref ? { ours, reference: ref } : { ours });
    const refPart = ref
      ? `; reference ${ref.process_seconds.toFixed(1)} s, ${ref.test_accuracy_pct.toFixed(2)}%, accuracy difference ${(ours['test accuracy [%]'] - ref.test_accuracy_pct).toFixed(2)} points`
      : '';
    progress(
      `fmnist-accuracy: round ${i}/${rounds}: ours ${run.wallS.toFixed(1)} s, ${ours['test accuracy [%]'].toFixed(2)}%${refPart}`,
    );
  }
  const diffs = out.flatMap((r) =>
    r.reference ? [r.ours['test accuracy [%]'] - r.reference.test_accuracy_pct] : [],
  );
  const trainSamples = opts.quick ? 2048 : 60000;
  const accuracy = compareMeans(
    out.map((r) => r.ours['test accuracy [%]']),
    out.flatMap((r) => (r.reference ? [r.reference.test_accuracy_pct] : [])),
  );
  return {
    workload: 'fmnist-accuracy',
    backend,
    // What the child resolved: the same env var on the same backend.
    neuron: benchNeuronImpl(backend),
    shape: `fmnist-cnn, T=4, batch 64, one epoch on ${trainSamples} images, test on ${opts.quick ? 1024 : 10000}; whole processes`,
    metrics: METRICS,
    rounds: out,
    reference,
    loadavg: load.finish(),
    threads: { ours: oursThreads(), reference: reference.ok ? reference.threads : null },
    notes: [
      'process wall time is spawn to exit on both sides: ours is node + tsx start, data loading, training, the test pass, metrics, checkpoint and the run database; the reference is python start, torch import, data loading, training and the test pass',
      `round k trains both sides with seed k (the reference's weight and data-order seeds, 0 as shipped, both set to k)`,
      `test accuracy, ours minus reference, per round: ${diffs.length ? diffs.map((d) => `${d >= 0 ? '+' : ''}${d.toFixed(2)}`).join(' ') + ' points' : 'no reference'}`,
      accuracy,
      `peak RSS: ${rssMethod}`,
      'no warm-up: each round is two cold processes (the file cache is warm after the first)',
      ...notes,
    ],
  };
}

if (isMain(import.meta.url))
  await runWorkloadScript(
    'fmnist-accuracy',
    'Usage: npm run bench:fmnist-accuracy -- [options]   (one epoch: long)',
    benchFmnistAccuracy,
  );
