/**
 * `npm run bench:train-scaling -- [--preset P] [--rounds N] [--threads N] [--train-limit N] [--warmup-steps N] [--backend B] [--json]`:
 * the scaling target (training throughput on N threads against one) as a user meets it: whole
 * `glif train` processes, a fresh one for every measurement, each with its own throw-away run
 * database, in the order 1, N, N, 1 round after round.
 *
 * bench:scaling keeps one warm process per configuration for the whole benchmark, which measures
 * the steps precisely but samples one process of each. Processes differ: the same 2-thread run of
 * fmnist-cnn took 94-105 ms a step in most processes here and 127 ms in one. A user's training run
 * is one such process, so this benchmark shows the spread over many. bench:all runs it last.
 *
 * A process's figure is its training throughput as the run records it: the run database's
 * `samples_per_s` of every step from `--warmup-steps` on (the first steps are slower while V8
 * optimises the step's code), combined as samples over seconds. Start-up, data loading, the test
 * pass and the checkpoint are left out: they are not training throughput (bench:fmnist-accuracy
 * times the whole process). Each round's ratio compares the means of its two 1-thread and its two
 * N-thread processes, so a machine drifting steadily within the round favours neither. The
 * machine's own 1-vs-N capacity (lib/machine.ts) is measured in every round beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openRunStoreReader } from '../src-main/runs/store/reader';
import { measuredRun } from './fmnist-accuracy';
import { abba, oursThreads, progress, watchLoad, type Load } from './lib/interleave';
import { conditionLines } from './lib/report';
import { MachineProbe } from './lib/machine';
import { wholeNumberFlag } from './lib/options';
import { isMain } from './lib/setup';
import { median } from './lib/timing';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * 256 steps of fmnist-cnn's batch of 64, the last 192 timed: a round takes about 2.5 min on 2 cores
 * here. Shorter runs measure V8's warm-up more than training: each replica thread compiles the
 * step's functions for itself, 25 optimising compiles a second over the first 20 s and still 4 a
 * second after 400 steps (--trace-opt), on helper threads that find no free core while the
 * replicas hold both, where a one-thread run has a spare core for them.
 */
export const DEFAULT_TRAIN_LIMIT = 16384;
export const DEFAULT_WARMUP_STEPS = 64;

export interface TrainScalingOptions {
  readonly preset: string;
  readonly rounds: number;
  readonly threads: number;
  readonly trainLimit: number;
  readonly warmupSteps: number;
  /** A TF.js backend to ask for; unset: glif train's own choice, as a user gets it. */
  readonly backend?: string;
}

/**
 * Samples per second over a run's steps from `warmupSteps` on, as samples over seconds: every
 * step's seconds are its samples over its `samples_per_s`, and all batches but an epoch's last
 * are full, so the steps are weighted as the time they took (a plain mean of the rates would
 * weight a fast step as much as a slow one).
 */
export function trainingThroughput(
  points: ReadonlyArray<{ readonly step: number; readonly value: number }>,
  warmupSteps: number,
  batch: number,
): { samplesPerSecond: number; steps: number } {
  const timed = points.filter((p) => p.step >= warmupSteps && Number.isFinite(p.value) && p.value > 0);
  if (timed.length === 0)
    throw new Error(`the run recorded no step from step ${warmupSteps} on; raise --train-limit`);
  const seconds = timed.reduce((s, p) => s + batch / p.value, 0);
  return { samplesPerSecond: (timed.length * batch) / seconds, steps: timed.length };
}

/** The benchmark's flags; an unknown flag or a missing value is refused, not ignored. */
export function trainScalingOptions(argv: readonly string[]): TrainScalingOptions & { json: boolean } {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      preset: { type: 'string' },
      rounds: { type: 'string' },
      threads: { type: 'string' },
      'train-limit': { type: 'string' },
      'warmup-steps': { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const options = {
    preset: values.preset ?? 'fmnist-cnn',
    rounds: wholeNumberFlag('rounds', values.rounds, 1) ?? 5,
    threads: wholeNumberFlag('threads', values.threads, 2) ?? os.availableParallelism(),
    trainLimit: wholeNumberFlag('train-limit', values['train-limit'], 1) ?? DEFAULT_TRAIN_LIMIT,
    warmupSteps: wholeNumberFlag('warmup-steps', values['warmup-steps'], 0) ?? DEFAULT_WARMUP_STEPS,
    backend: values.backend,
    json: values.json ?? false,
  };
  if (options.threads < 2) throw new Error('scaling needs at least 2 threads (this machine has 1 core)');
  return options;
}

interface ProcessFigure {
  readonly samplesPerSecond: number;
  /** Over every step, the warm-up's too: what the run's whole training phase gave. */
  readonly wholeSamplesPerSecond: number;
  readonly steps: number;
  readonly threads: number;
  readonly backend: string;
}

/** One `glif train` process on `threads` threads, to its end; its training throughput. */
export async function trainProcess(o: TrainScalingOptions, threads: number): Promise<ProcessFigure> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-bench-scaling-'));
  const db = path.join(tmp, 'runs.sqlite');
  try {
    const run = await measuredRun(
      process.execPath,
      [
        path.join(repoRoot, 'bin/glif.mjs'),
        'train',
        '--preset',
        o.preset,
        '--set',
        'train.epochs=1',
        '--set',
        `data.trainLimit=${o.trainLimit}`,
        // The test pass is not timed; a small one keeps the rounds short.
        '--set',
        'data.testLimit=256',
        '--threads',
        String(threads),
        '--db',
        db,
        '--json',
        ...(o.backend ? ['--backend', o.backend] : []),
      ],
      false,
    );
    let summary: { runId?: string; status?: string; backend?: string | null; error?: string | null };
    try {
      summary = JSON.parse(run.stdout) as typeof summary;
    } catch {
      throw new Error(
        `glif train exited with ${run.code ?? run.signal} and no JSON summary: ${run.stderr.slice(-800)}`,
      );
    }
    if (summary.status !== 'completed' || !summary.runId)
      throw new Error(`glif train ${summary.status ?? 'failed'}: ${summary.error ?? run.stderr.slice(-800)}`);
    const reader = openRunStoreReader(db);
    try {
      const record = reader.getRun(summary.runId);
      if (record?.threads !== threads)
        throw new Error(
          `the run trained on ${record?.threads ?? 'unknown'} threads, not the ${threads} asked for`,
        );
      const batch = record.columns.batchSize;
      if (batch === null) throw new Error('the run recorded no batch size');
      const [series] = reader.getMetrics(summary.runId, ['samples_per_s']);
      const points = series?.points ?? [];
      const t = trainingThroughput(points, o.warmupSteps, batch);
      const whole = trainingThroughput(points, 0, batch).samplesPerSecond;
      return { ...t, wholeSamplesPerSecond: whole, threads, backend: summary.backend ?? 'unknown' };
    } finally {
      reader.close();
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export interface TrainScalingResult {
  readonly options: TrainScalingOptions;
  readonly backend: string;
  /** Steps timed in each process. */
  readonly steps: number;
  /** Per round: the 1-thread and the N-thread throughput (means of the round's two processes), samples/s. */
  readonly one: number[];
  readonly many: number[];
  readonly ratios: number[];
  /** Every N-thread process's own throughput, to show how processes differ. */
  readonly manyProcesses: number[];
  /** Per round, the same ratio over every step of the runs, warm-up included. */
  readonly wholeRatios: number[];
  /** What the machine gave N threads of a register-only loop, per round. */
  readonly machine: number[];
  /** ... and of streaming an array larger than a core's caches (shared cache and memory). */
  readonly machineMemory: number[];
  readonly loadavg: Load;
}

export async function runTrainScaling(o: TrainScalingOptions): Promise<TrainScalingResult> {
  const load = watchLoad();
  const probe = await MachineProbe.start(o.threads);
  const one: number[] = [];
  const many: number[] = [];
  const ratios: number[] = [];
  const manyProcesses: number[] = [];
  const wholeRatios: number[] = [];
  const machine: number[] = [];
  const machineMemory: number[] = [];
  let backend = '';
  let steps = 0;
  try {
    for (let r = 0; r < o.rounds; r++) {
      const whole: Record<'one' | 'many', number[]> = { one: [], many: [] };
      // Seconds per 1000 samples: abba averages times, which a steady drift cancels out of.
      const seconds = async (threads: number) => {
        const f = await trainProcess(o, threads);
        backend = f.backend;
        steps = f.steps;
        if (threads > 1) manyProcesses.push(f.samplesPerSecond);
        whole[threads > 1 ? 'many' : 'one'].push(1000 / f.wholeSamplesPerSecond);
        return 1000 / f.samplesPerSecond;
      };
      const [a, b] = await abba(
        () => seconds(1),
        () => seconds(o.threads),
      );
      const m = await probe.measure();
      one.push(1000 / a);
      many.push(1000 / b);
      ratios.push(a / b);
      const sum = (x: number[]) => x.reduce((p, q) => p + q, 0);
      wholeRatios.push(sum(whole.one) / sum(whole.many));
      machine.push(m.compute);
      machineMemory.push(m.memory);
      progress(
        `train-scaling: round ${r + 1}/${o.rounds}: 1 thread ${(1000 / a).toFixed(0)} samples/s, ${o.threads} threads ${(1000 / b).toFixed(0)} samples/s, ${(a / b).toFixed(2)}x; machine ${m.compute.toFixed(2)}x compute, ${m.memory.toFixed(2)}x memory`,
      );
    }
  } finally {
    await probe.close();
  }
  return {
    options: o,
    backend,
    steps,
    one,
    many,
    ratios,
    manyProcesses,
    wholeRatios,
    machine,
    machineMemory,
    loadavg: load.finish(),
  };
}

const spread = (x: readonly number[], digits = 2, unit = 'x') =>
  `${median(x).toFixed(digits)}${unit} (${Math.min(...x).toFixed(digits)}-${Math.max(...x).toFixed(digits)})`;

export function printTrainScaling(r: TrainScalingResult): void {
  const o = r.options;
  const l = r.loadavg;
  const lines = [
    `== train-scaling: training throughput of \`glif train --preset ${o.preset}\` (TF.js ${r.backend}), ${o.threads} threads vs 1: ${o.rounds} rounds of 1, N, N, 1 fresh processes, ${r.steps} steps each from step ${o.warmupSteps}`,
    `   1 thread ${median(r.one).toFixed(0)} samples/s, ${o.threads} threads ${median(r.many).toFixed(0)} samples/s (medians); the ${r.manyProcesses.length} ${o.threads}-thread processes ${spread(r.manyProcesses, 0, ' samples/s')}`,
    `   speed-up ${spread(r.ratios)} (target: at least 1.7x on 2 cores); over every step, warm-up included: ${spread(r.wholeRatios)}`,
    `   the machine itself, same rounds (${o.threads} threads of a register-only loop / of a memory stream vs 1): ${spread(r.machine)} / ${spread(r.machineMemory)}`,
  ];
  if (median(r.machine) < 0.9 * o.threads)
    lines.push(
      `   !!! the machine gave ${o.threads} threads only ${median(r.machine).toFixed(2)}x of one in these rounds: this speed-up cannot show what ${o.threads} real cores give`,
    );
  lines.push(...conditionLines({ loadavg: l, threads: { ours: oursThreads(), reference: null } }));
  process.stdout.write(lines.join('\n') + '\n');
}

export function trainScalingJson(r: TrainScalingResult): Record<string, unknown> {
  return {
    workload: `train-scaling/${r.options.preset}`,
    backend: r.backend,
    threads: r.options.threads,
    rounds: r.ratios.length,
    stepsPerProcess: r.steps,
    ours: {
      'samples/s, 1 thread': median(r.one),
      [`samples/s, ${r.options.threads} threads`]: median(r.many),
    },
    speedup: median(r.ratios),
    speedupMin: Math.min(...r.ratios),
    speedupMax: Math.max(...r.ratios),
    speedupWithWarmup: median(r.wholeRatios),
    machineCompute: median(r.machine),
    machineMemory: median(r.machineMemory),
    loadavg: r.loadavg,
    perRound: r.ratios.map((ratio, i) => ({
      ratio,
      withWarmup: r.wholeRatios[i],
      one: r.one[i],
      many: r.many[i],
      machine: r.machine[i],
      machineMemory: r.machineMemory[i],
    })),
    manyProcesses: r.manyProcesses,
  };
}

if (isMain(import.meta.url)) {
  Promise.resolve()
    .then(async () => {
      const options = trainScalingOptions(process.argv.slice(2));
      const r = await runTrainScaling(options);
      printTrainScaling(r);
      if (options.json) console.log(JSON.stringify(trainScalingJson(r), null, 2));
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
