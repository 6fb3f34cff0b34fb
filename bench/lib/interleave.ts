/**
 * Ours and the PyTorch reference, alternated round by round (../shared/bench/README.md, "How to
 * compare without fooling ourselves"): warm-up of both, then N rounds of one timed measurement
 * of ours immediately followed by the same measurement of the reference. The two never compute
 * at the same time: the reference's process blocks on its stdin while ours runs, and ours awaits
 * the reference's reply. A short idle gap after each side lets the other side's threads settle
 * (PyTorch's OpenMP workers spin for a moment after a parallel region).
 */
import fs from 'node:fs';
import os from 'node:os';
import type { BenchOptions } from './options';
import { ReferenceServer, type ReferenceInfo, type ReferenceWorkload } from './reference';
import type { Round } from './report';
import { sleep } from './timing';

/** Idle gap between the two sides of a round, in ms. */
const SETTLE_MS = 100;

/** What could distort a figure on our side: the cores Node sees and the engine's thread setting. */
export interface OursThreads {
  readonly availableParallelism: number;
  /** The GLIF_THREADS environment variable as set for this run (null: unset). */
  readonly GLIF_THREADS: string | null;
}

export function oursThreads(): OursThreads {
  return { availableParallelism: os.availableParallelism(), GLIF_THREADS: process.env.GLIF_THREADS ?? null };
}

/** The 1-minute load average now. */
export function loadavg1(): number {
  return os.loadavg()[0];
}

/** The machine's load around one workload. */
export interface Load {
  readonly before: number;
  readonly after: number;
  /**
   * Cores that processes other than this benchmark and its children (the reference, our training
   * processes) kept busy on average during the workload; null where /proc cannot tell (not Linux).
   * Unlike the load average, which counts our own threads and lags a minute, this is the contention.
   */
  readonly otherCores: number | null;
  /**
   * Cores the hypervisor gave to others while our vCPUs wanted to run (steal in /proc/stat),
   * on average during the workload; null where /proc cannot tell. Not counted in otherCores.
   */
  readonly stolenCores: number | null;
}

interface CpuSnapshot {
  readonly at: number;
  /** Busy seconds of the whole machine (/proc/stat), steal excluded. */
  readonly machine: number;
  /** Seconds the hypervisor ran something else while the machine wanted to run (/proc/stat's steal). */
  readonly steal: number;
  /** Busy seconds of this process (all its threads) and of its children that have exited. */
  readonly ours: number;
}

function cpuSnapshot(): CpuSnapshot | null {
  try {
    const hz = 100; // USER_HZ: the unit of /proc's tick counts on every Linux configuration we run on
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal guest guest_nice: guest time is already in
    // user and nice, so busy is user to softirq less idle and iowait; steal is kept apart.
    const machine = (cpu.slice(0, 7).reduce((a, b) => a + b, 0) - cpu[3] - (cpu[4] ?? 0)) / hz;
    const steal = (cpu[7] ?? 0) / hz;
    // Fields after the command's closing parenthesis: utime is the 12th, then stime, cutime, cstime.
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const ours = (f[11] + f[12] + f[13] + f[14]) / hz;
    return { at: performance.now(), machine, steal, ours };
  } catch {
    return null;
  }
}

/** Starts watching the load of a workload: call finish() when it is over and its children have exited. */
export function watchLoad(): { finish(): Load } {
  const before = loadavg1();
  const start = cpuSnapshot();
  return {
    finish() {
      const end = cpuSnapshot();
      const seconds = start && end ? (end.at - start.at) / 1000 : 0;
      const otherCores =
        start && end && seconds > 0
          ? Math.max(0, end.machine - start.machine - (end.ours - start.ours)) / seconds
          : null;
      const stolenCores = start && end && seconds > 0 ? (end.steal - start.steal) / seconds : null;
      return { before, after: loadavg1(), otherCores, stolenCores };
    },
  };
}

/** Our side of a workload: one untimed pass, then rounds of timed figures keyed `name [unit]`. */
export interface OursSide {
  warmup(): void | Promise<void>;
  round(reps: number): Record<string, number> | Promise<Record<string, number>>;
}

export interface Interleaved {
  readonly rounds: Round[];
  readonly reference: ReferenceInfo;
  readonly notes: string[];
}

/**
 * Runs `rounds` rounds of ours then the reference on `workload`, after a warm-up of both. With
 * --no-reference or no usable reference, ours still runs its rounds. A reference that fails
 * mid-run keeps the rounds it finished; the note says so.
 */
export async function interleave(
  opts: BenchOptions,
  workload: ReferenceWorkload,
  ours: OursSide,
  rounds: number,
  reps: number,
): Promise<Interleaved> {
  const notes: string[] = [];
  const started = opts.noReference
    ? { ok: false as const, reason: 'skipped (--no-reference)' }
    : await ReferenceServer.start(workload);
  let server = started.ok ? started.server : undefined;
  let reference: ReferenceInfo = started.ok
    ? { ok: true, framework: started.server.framework, threads: started.server.threads }
    : { ok: false, reason: started.reason };
  const out: Round[] = [];
  const dropReference = async (stage: string, err: unknown) => {
    const why = `the reference failed ${stage}: ${(err as Error).message}`;
    if (out.some((r) => r.reference)) notes.push(`${why}; later rounds are ours only`);
    else reference = { ok: false, reason: why };
    await server?.close();
    server = undefined;
  };
  try {
    progress(`${workload}: warm-up (ours${server ? ', then the reference' : ''})`);
    await ours.warmup();
    if (server) {
      await sleep(SETTLE_MS);
      await server.warmup().catch((err) => dropReference('in its warm-up', err));
    }
    for (let i = 1; i <= rounds; i++) {
      await sleep(SETTLE_MS);
      const o = await ours.round(reps);
      let ref: Record<string, number> | undefined;
      if (server) {
        await sleep(SETTLE_MS);
        ref = await server.round(reps).catch(async (err) => {
          await dropReference(`in round ${i}`, err);
          return undefined;
        });
      }
      out.push(ref ? { ours: o, reference: ref } : { ours: o });
      progress(`${workload}: round ${i}/${rounds}: ${describeRound(o, ref)}`);
    }
    return { rounds: out, reference, notes };
  } finally {
    await server?.close();
  }
}

/**
 * Times `one` and `many` in the order one, many, many, one and gives each side's mean: a drift
 * of the machine's speed that is linear over the four cancels out of the ratio of the two.
 */
export async function abba(
  one: () => Promise<number>,
  many: () => Promise<number>,
): Promise<[number, number]> {
  const a1 = await one();
  const b1 = await many();
  const b2 = await many();
  const a2 = await one();
  return [(a1 + a2) / 2, (b1 + b2) / 2];
}

/** Progress on stderr, so that stdout keeps the table and the JSON. */
export function progress(line: string): void {
  process.stderr.write(`   .. ${line}\n`);
}

function describeRound(ours: Record<string, number>, ref: Record<string, number> | undefined): string {
  const first = Object.entries(ours)[0];
  const oursPart = first ? `ours ${first[0]} ${first[1].toFixed(1)}` : 'ours done';
  if (!ref) return oursPart;
  const [k, v] = Object.entries(ref)[0] ?? ['-', NaN];
  return `${oursPart}; reference ${k} ${v.toFixed(1)}`;
}

/** What every interleaved workload reports besides its figures: rounds, reference, load, threads, notes. */
export function runConditions(
  run: Interleaved,
  load: { finish(): Load },
): Pick<Interleaved, 'rounds' | 'reference' | 'notes'> & {
  loadavg: Load;
  threads: { ours: OursThreads; reference: number | null };
} {
  return {
    rounds: run.rounds,
    reference: run.reference,
    loadavg: load.finish(),
    threads: { ours: oursThreads(), reference: run.reference.ok ? run.reference.threads : null },
    notes: run.notes,
  };
}
