/**
 * What the machine itself gives N threads at the moment, whatever the tool: the same fixed work
 * run on one thread alone and then on N threads at once, in the order 1, N, N, 1 (as abba), and
 * the throughput of the N against the one. On a quiet machine with N real cores it is close to N;
 * on this project's VM it has ranged from 1.9x to 1.2x for two threads within an hour (the host
 * schedules our two vCPUs as it likes, and `steal` in /proc/stat shows only part of it).
 *
 * bench:scaling measures it in every round beside ours and the reference's, so that a training
 * speed-up can be read against what the machine allowed in the same seconds rather than against N.
 * Two kinds of work, because a training step is partly each:
 * - compute: a chain of float multiply-adds in registers, no memory traffic (the cores themselves);
 * - memory: sums of a 64 MiB array per thread, larger than every core's own caches (the shared
 *   cache and memory bandwidth, which our convolutions and their gradients lean on).
 */
import { Worker } from 'node:worker_threads';

export type ProbeKind = 'compute' | 'memory';

/** Throughput of N threads at once as a multiple of one thread's (N would be perfect). */
export interface Capacity {
  readonly compute: number;
  readonly memory: number;
}

/** Each thread's work per measurement is sized to take about this long on one thread. */
const TARGET_MS = 40;

// Plain JavaScript, evaluated as the worker's script: it must not import anything of ours.
const PROBE_WORKER = `
const { parentPort } = require('node:worker_threads');
let buf;
function run(kind, work) {
  let s = 0;
  if (kind === 'compute') {
    let x = 1;
    for (let i = 0; i < work; i++) x = x * 0.9999999 + 1e-7;
    s = x;
  } else {
    if (!buf) buf = new Float64Array(8 << 20).fill(1);
    for (let r = 0; r < work; r++) for (let i = 0; i < buf.length; i++) s += buf[i];
  }
  return s;
}
parentPort.on('message', (m) => {
  const t = performance.now();
  const s = run(m.kind, m.work);
  parentPort.postMessage({ ms: performance.now() - t, s });
});
`;

/**
 * N threads doing the same work at once against one thread doing it alone: N x (time alone) /
 * (wall time of the N), each the mean of its two measurements.
 */
export function speedup(oneMs: readonly number[], manyMs: readonly number[], threads: number): number {
  const mean = (x: readonly number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  return (threads * mean(oneMs)) / mean(manyMs);
}

export class MachineProbe {
  private readonly work: Record<ProbeKind, number> = { compute: 1e6, memory: 1 };

  private constructor(private readonly workers: Worker[]) {}

  /** Starts `threads` probe threads and sizes each kind's work to about TARGET_MS on one of them. */
  static async start(threads: number): Promise<MachineProbe> {
    if (!Number.isInteger(threads) || threads < 2)
      throw new Error(`a machine probe needs at least 2 threads, got ${threads}`);
    const workers = Array.from({ length: threads }, () => new Worker(PROBE_WORKER, { eval: true }));
    const probe = new MachineProbe(workers);
    try {
      for (const kind of ['compute', 'memory'] as const) {
        // First touch on every thread: compiles the loop, allocates and faults in each array (the
        // first round's N-thread figure paid for that otherwise: 0.33x of one thread's memory rate).
        await probe.runOn(
          workers.map((_, r) => r),
          kind,
        );
        const ms = Math.max(0.5, await probe.runOn([0], kind));
        probe.work[kind] = Math.max(1, Math.round((probe.work[kind] * TARGET_MS) / ms));
      }
    } catch (err) {
      await probe.close();
      throw err;
    }
    return probe;
  }

  get threads(): number {
    return this.workers.length;
  }

  /** The wall time, seen from here, until every listed thread has done `kind`'s work once. */
  private async runOn(ranks: readonly number[], kind: ProbeKind): Promise<number> {
    const t = performance.now();
    await Promise.all(
      ranks.map(
        (r) =>
          new Promise<void>((resolve, reject) => {
            const w = this.workers[r];
            const done = () => {
              w.off('error', failed);
              resolve();
            };
            const failed = (err: Error) => {
              w.off('message', done);
              reject(err);
            };
            w.once('message', done);
            w.once('error', failed);
            w.postMessage({ kind, work: this.work[kind] });
          }),
      ),
    );
    return performance.now() - t;
  }

  /** One measurement of each kind, each timed 1, N, N, 1. */
  async measure(): Promise<Capacity> {
    const all = this.workers.map((_, r) => r);
    const of = async (kind: ProbeKind): Promise<number> => {
      const a1 = await this.runOn([0], kind);
      const b1 = await this.runOn(all, kind);
      const b2 = await this.runOn(all, kind);
      const a2 = await this.runOn([0], kind);
      return speedup([a1, a2], [b1, b2], this.threads);
    };
    const compute = await of('compute');
    const memory = await of('memory');
    return { compute, memory };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
