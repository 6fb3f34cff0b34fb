/**
 * `npm run bench:scaling -- [fmnist-cnn|resnet19-cifar] [--rounds N] [--reps N] [--threads N] [--no-reference]`:
 * training throughput on N threads (default: every core) against one thread. Each configuration
 * trains in a persistent, warmed-up process of its own (lib/step-process.ts: one thread, or the
 * replica pool as the trainer uses it), as a training run does, and the two are asked in turn for
 * `reps` steps back to back, round by round, so that both see the same machine at nearly the same
 * moment; each side's figure is the median of its steps.
 * - Processes started one after another (GLIF_THREADS=1 then 2) varied by a quarter between pairs
 *   here, which drowned the ratio.
 * - Both configurations in one process penalised the pool: the one-thread steps' garbage is
 *   collected during the pool's steps, by V8 helper threads that then find no free core (2-thread
 *   steps 97 ms there against 93 ms in a process of their own, 1-thread steps 171-173 ms in both).
 * - Three steps per turn measured mostly how a configuration recovers from the other's turn (its
 *   caches, the reference's threads): the first pool steps after a turn take 100-109 ms, the later
 *   ones 94-98 ms, and a training run never switches. fmnist-cnn's turns are 8 steps (under 1.5 s).
 * A run samples one process of each configuration, and processes differ (the same 2-thread
 * fmnist-cnn process took 94-105 ms a step in most starts and up to 144 ms in others):
 * bench:train-scaling starts fresh `glif train` processes every round and shows that spread.
 * Each round times the two in the order 1, N, N, 1 and compares the sums, so that a machine
 * speeding up or slowing down steadily within the round favours neither (this VM drifts by a
 * quarter within seconds; in the order 1, N the drift went wholly into the ratio).
 * Reports the median of the per-round ratios (1-thread time / N-thread time) with min and max.
 *
 * The PyTorch reference's own scaling is measured in the same rounds, the same way (one persistent
 * process at one thread, one at N, the same number of steps per turn), so our speed-up is read
 * beside what the machine gives the tool our users would run instead; `--no-reference` leaves it
 * out. Each round also measures what the machine itself gave N threads in those seconds
 * (lib/machine.ts: the same register-only and memory-streaming loops on 1 and on N threads), the
 * ceiling that neither tool can pass; on this VM it has fallen as low as 1.2x for two threads.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { abba, watchLoad } from './lib/interleave';
import { MachineProbe } from './lib/machine';
import { ReferenceServer, type ReferenceWorkload } from './lib/reference';
import { wholeNumberFlag } from './lib/options';
import { isMain } from './lib/setup';
import { StepProcess } from './lib/step-process';
import { median } from './lib/timing';

const WORKLOADS = {
  'fmnist-cnn': {
    reference: 'fmnist-cnn' as ReferenceWorkload,
    preset: 'fmnist-cnn',
    batch: 64,
    input: [28, 28, 1] as [number, number, number],
    classes: 10,
    reps: 8,
    // Steps before the rounds: V8 keeps optimising the step's code over the first 50-100 steps.
    warmup: 40,
  },
  'resnet19-cifar': {
    reference: 'resnet19-cifar' as ReferenceWorkload,
    preset: 'cifar10-resnet19-t4',
    batch: 8,
    input: [32, 32, 3] as [number, number, number],
    classes: 10,
    reps: 1,
    warmup: 3,
  },
} as const;
type Workload = keyof typeof WORKLOADS;

export interface ScalingOptions {
  readonly workload: Workload;
  readonly rounds: number;
  /** Steps per turn; unset: the workload's own. */
  readonly reps?: number;
  readonly threads: number;
  readonly withReference: boolean;
}

/** The benchmark's arguments; an unknown flag, a second workload or a missing value is refused. */
export function scalingOptions(argv: readonly string[]): ScalingOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      rounds: { type: 'string' },
      reps: { type: 'string' },
      threads: { type: 'string' },
      'no-reference': { type: 'boolean' },
    },
  });
  if (positionals.length > 1) throw new Error(`one workload at a time, got ${positionals.join(', ')}`);
  const name = positionals[0] ?? 'fmnist-cnn';
  if (!Object.hasOwn(WORKLOADS, name))
    throw new Error(`unknown workload '${name}'; expected ${Object.keys(WORKLOADS).join(' or ')}`);
  const threads = wholeNumberFlag('threads', values.threads) ?? os.availableParallelism();
  if (threads < 2) throw new Error('scaling needs at least 2 threads');
  return {
    workload: name as Workload,
    rounds: wholeNumberFlag('rounds', values.rounds) ?? 7,
    reps: wholeNumberFlag('reps', values.reps),
    threads,
    withReference: !values['no-reference'],
  };
}

export async function benchScaling(argv: readonly string[]): Promise<void> {
  const options = scalingOptions(argv);
  const name = options.workload;
  const w = WORKLOADS[name];
  const rounds = options.rounds;
  const reps = options.reps ?? w.reps;
  const threads = options.threads;
  const withReference = options.withReference;
  // Every configuration in a persistent process of its own (step-process.ts), ours and the reference's.
  const startRef = async (n: number): Promise<ReferenceServer | undefined> => {
    const started = await ReferenceServer.start(w.reference);
    if (!started.ok) {
      console.log(`   reference not run: ${started.reason}`);
      return undefined;
    }
    await started.server.setThreads(n);
    return started.server;
  };
  // Whatever was started is closed on the way out, also when a later start fails.
  const open: Array<{ close(): Promise<void> }> = [];
  const closeAll = async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  };
  const started = async <T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> => {
    const c = await p;
    open.push(c);
    return c;
  };
  let ref: { one: ReferenceServer; many: ReferenceServer; framework: string } | undefined;
  const load = watchLoad();
  let single: StepProcess;
  let multi: StepProcess;
  let probe: MachineProbe;
  try {
    const refOne = withReference ? await startRef(1) : undefined;
    if (refOne) open.push(refOne);
    const refMany = refOne ? await startRef(threads) : undefined;
    if (refMany) open.push(refMany);
    ref = refOne && refMany ? { one: refOne, many: refMany, framework: refOne.framework } : undefined;
    probe = await started(MachineProbe.start(threads));
    const spec = { preset: w.preset, batch: w.batch, input: w.input, classes: w.classes };
    single = await started(StepProcess.start({ ...spec, threads: 1 }));
    multi = await started(StepProcess.start({ ...spec, threads }));
  } catch (err) {
    await closeAll();
    throw err;
  }
  const backend = single.backend;
  const timed = async (p: StepProcess) => median(await p.run(reps));
  // The reference's train step: the median of `reps` steps, from its own timer.
  const refStep = async (server: ReferenceServer): Promise<number> => {
    const ms = (await server.round(reps)).train_step_ms;
    if (ms === undefined) throw new Error('the reference gave no train_step_ms');
    return ms;
  };
  try {
    await single.run(w.warmup);
    await multi.run(w.warmup);
    if (ref) {
      await ref.one.warmup();
      await ref.many.warmup();
    }
    const ratios: number[] = [];
    const oneMs: number[] = [];
    const manyMs: number[] = [];
    const refRatios: number[] = [];
    const refOneMs: number[] = [];
    const refManyMs: number[] = [];
    const machineCompute: number[] = [];
    const machineMemory: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const [a, b] = await abba(
        () => timed(single),
        () => timed(multi),
      );
      oneMs.push(a);
      manyMs.push(b);
      ratios.push(a / b);
      let line = `   .. round ${r + 1}/${rounds}: 1 thread ${a.toFixed(1)} ms, ${threads} threads ${b.toFixed(1)} ms, ${(a / b).toFixed(2)}x`;
      if (ref) {
        const [c, d] = await abba(
          () => refStep(ref.one),
          () => refStep(ref.many),
        );
        refOneMs.push(c);
        refManyMs.push(d);
        refRatios.push(c / d);
        line += `; reference ${c.toFixed(1)} / ${d.toFixed(1)} ms, ${(c / d).toFixed(2)}x`;
      }
      const m = await probe.measure();
      machineCompute.push(m.compute);
      machineMemory.push(m.memory);
      line += `; machine ${m.compute.toFixed(2)}x compute, ${m.memory.toFixed(2)}x memory`;
      console.log(line);
    }
    // Our children's and the reference's CPU time count as ours only once they have exited (/proc's cutime).
    await closeAll();
    const l = load.finish();
    console.log(
      `== scaling ${name} (batch ${w.batch}, TF.js ${backend}): ${threads} threads vs 1, ${rounds} rounds of 1, N, N, 1 (${reps} steps each), each in a warm process of its own`,
    );
    console.log(
      `   1 thread ${median(oneMs).toFixed(1)} ms, ${threads} threads ${median(manyMs).toFixed(1)} ms per step (medians)`,
    );
    console.log(
      `   speed-up ${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
    );
    if (ref) {
      console.log(
        `   reference (${ref.framework}), same rounds: 1 thread ${median(refOneMs).toFixed(1)} ms, ${threads} threads ${median(refManyMs).toFixed(1)} ms`,
      );
      console.log(
        `   reference speed-up ${median(refRatios).toFixed(2)}x (${Math.min(...refRatios).toFixed(2)}-${Math.max(...refRatios).toFixed(2)}); ours/reference speed-up ${(median(ratios) / median(refRatios)).toFixed(2)}`,
      );
    }
    const spread = (x: number[]) =>
      `${median(x).toFixed(2)}x (${Math.min(...x).toFixed(2)}-${Math.max(...x).toFixed(2)})`;
    console.log(
      `   the machine itself, same rounds (${threads} threads of a register-only loop / of a memory stream vs 1): ${spread(machineCompute)} / ${spread(machineMemory)}; ours/machine (compute) ${(median(ratios) / median(machineCompute)).toFixed(2)}`,
    );
    if (median(machineCompute) < 0.9 * threads)
      console.log(
        `   !!! the machine gave ${threads} threads only ${median(machineCompute).toFixed(2)}x of one in these rounds: no tool's speed-up here can show what ${threads} real cores give`,
      );
    console.log(
      `   load average (1 min) ${l.before.toFixed(2)} before, ${l.after.toFixed(2)} after; other processes ${l.otherCores === null ? 'unknown' : `${l.otherCores.toFixed(2)} cores`}; taken by the host (steal) ${l.stolenCores === null ? 'unknown' : `${l.stolenCores.toFixed(2)} cores`}`,
    );
  } finally {
    await closeAll();
  }
}

if (isMain(import.meta.url)) {
  benchScaling(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
