/**
 * `npm run bench:scaling -- [fmnist-cnn|resnet19-cifar] [--rounds N] [--threads N] [--no-reference]`:
 * training throughput on N threads (default: every core) against one thread, in one process, alternating a
 * one-thread step and an N-thread step (the replica pool, as the trainer uses it) round by round, so
 * that both see the same machine at nearly the same moment. Separate processes run minutes apart
 * (GLIF_THREADS=1 then 2) varied by a quarter between pairs here, which drowned the ratio.
 * Each round times the two in the order 1, N, N, 1 and compares the sums, so that a machine
 * speeding up or slowing down steadily within the round favours neither (this VM drifts by a
 * quarter within seconds; in the order 1, N the drift went wholly into the ratio).
 * Reports the median of the per-round ratios (1-thread time / N-thread time) with min and max.
 *
 * The PyTorch reference's own scaling is measured in the same rounds (its persistent process set to
 * one thread, then N, right after ours), so our speed-up is read beside what the machine gives the
 * tool our users would run instead; `--no-reference` leaves it out. On this project's 2-core VM the
 * two threads slow each other's memory-bound work, and the reference scales no better than ours.
 * Each round also measures what the machine itself gave N threads in those seconds (lib/machine.ts:
 * the same register-only and memory-streaming loops on 1 and on N threads), the ceiling that neither
 * tool can pass; on this VM it has fallen as low as 1.2x for two threads.
 */
import os from 'node:os';
import { initBackend } from '../src-main/engine/backend';
import { ReplicaPool } from '../src-main/engine/parallel/pool';
import { trainStep } from '../src-main/engine/train/train-step';
import { abba, watchLoad } from './lib/interleave';
import { MachineProbe } from './lib/machine';
import { ReferenceServer, type ReferenceWorkload } from './lib/reference';
import { isMain } from './lib/setup';
import { median } from './lib/timing';
import { trainBench } from './lib/train-step';

const WORKLOADS = {
  'fmnist-cnn': {
    reference: 'fmnist-cnn' as ReferenceWorkload,
    preset: 'fmnist-cnn',
    batch: 64,
    input: [28, 28, 1] as [number, number, number],
    classes: 10,
    reps: 3,
  },
  'resnet19-cifar': {
    reference: 'resnet19-cifar' as ReferenceWorkload,
    preset: 'cifar10-resnet19-t4',
    batch: 8,
    input: [32, 32, 3] as [number, number, number],
    classes: 10,
    reps: 1,
  },
} as const;
type Workload = keyof typeof WORKLOADS;

function flag(argv: readonly string[], name: string): number | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} takes a whole number >= 1`);
  return v;
}

async function timeMs(fn: () => void | Promise<void>, reps: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

export async function benchScaling(argv: readonly string[]): Promise<void> {
  const name = (argv.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'fmnist-cnn') as Workload;
  const w = WORKLOADS[name];
  if (!w) throw new Error(`unknown workload '${name}'; expected ${Object.keys(WORKLOADS).join(' or ')}`);
  const rounds = flag(argv, '--rounds') ?? 7;
  const threads = flag(argv, '--threads') ?? os.availableParallelism();
  if (threads < 2) throw new Error('scaling needs at least 2 threads');
  const withReference = !argv.includes('--no-reference');
  const started = withReference ? await ReferenceServer.start(w.reference) : undefined;
  const ref = started?.ok ? started.server : undefined;
  if (started && !started.ok) console.log(`   reference not run: ${started.reason}`);
  const load = watchLoad();
  const report = await initBackend();
  const probe = await MachineProbe.start(threads);
  const single = trainBench(w.preset, w.batch, w.input, w.classes);
  const multi = trainBench(w.preset, w.batch, w.input, w.classes);
  const pool = await ReplicaPool.start(
    { threads, config: multi.config, dataset: multi.info, backend: report.active, neuronImpl: multi.impl },
    multi.model,
    multi.sgd,
  );
  const lr = single.config.train.lr;
  const one = () => void trainStep(single.model, single.sgd, single.batch, lr);
  const many = async () => void (await pool.step(multi.batch, lr));
  // The reference's train step at `n` threads: the median of `reps` steps, from its own timer.
  const refStep = async (server: ReferenceServer, n: number): Promise<number> => {
    await server.setThreads(n);
    const ms = (await server.round(w.reps)).train_step_ms;
    if (ms === undefined) throw new Error('the reference gave no train_step_ms');
    return ms;
  };
  try {
    one();
    await many();
    if (ref) await ref.warmup();
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
        () => timeMs(one, w.reps),
        () => timeMs(many, w.reps),
      );
      oneMs.push(a);
      manyMs.push(b);
      ratios.push(a / b);
      let line = `   .. round ${r + 1}/${rounds}: 1 thread ${a.toFixed(1)} ms, ${threads} threads ${b.toFixed(1)} ms, ${(a / b).toFixed(2)}x`;
      if (ref) {
        const [c, d] = await abba(
          () => refStep(ref, 1),
          () => refStep(ref, threads),
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
    // The reference's CPU time counts as ours only once it has exited (/proc's cutime).
    await ref?.close();
    const l = load.finish();
    console.log(
      `== scaling ${name} (batch ${w.batch}, TF.js ${report.active}): ${threads} threads vs 1, ${rounds} rounds of 1, N, N, 1 in one process`,
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
    await pool.close();
    await probe.close();
    await ref?.close();
    single.dispose();
    multi.dispose();
  }
}

if (isMain(import.meta.url)) {
  benchScaling(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
