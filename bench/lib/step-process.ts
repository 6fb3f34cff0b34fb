/**
 * A training step timed in a persistent process of its own: bench:scaling keeps one such process
 * training on one thread and one on N threads (the replica pool), and asks each in turn for a few
 * timed steps. Each configuration thus runs as a training run does, alone in its process: when
 * both lived in one process, the one-thread steps left garbage in the shared heap that V8's helper
 * threads collected during the pool's steps, where no core was free for them (the first pool steps
 * after a one-thread block took 100-109 ms against 94-98 ms later). The idle process sleeps while
 * the other runs, as the reference's does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What the child builds: a preset's model on a synthetic batch, trained on `threads` threads. */
export interface StepProcessSpec {
  readonly preset: string;
  readonly batch: number;
  readonly input: readonly [number, number, number];
  readonly classes: number;
  readonly threads: number;
}

export type ToStepProcess = { readonly type: 'run'; readonly steps: number } | { readonly type: 'quit' };

export type FromStepProcess =
  | { readonly type: 'ready'; readonly backend: string }
  | { readonly type: 'ran'; readonly ms: readonly number[] }
  | { readonly type: 'failed'; readonly message: string };

export class StepProcess {
  private failure: Error | undefined;
  private waiting: ((m: FromStepProcess) => void) | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly backend: string,
  ) {}

  /** Starts the child and waits until its model (and pool) are built. */
  static async start(spec: StepProcessSpec): Promise<StepProcess> {
    const entry = fileURLToPath(new URL('./step-process-main.ts', import.meta.url));
    const child = fork(entry, [JSON.stringify(spec)], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    const first = await new Promise<FromStepProcess>((resolve, reject) => {
      child.once('message', (m: FromStepProcess) => resolve(m));
      child.once('exit', (code) =>
        reject(new Error(`the ${spec.threads}-thread step process exited with code ${code}`)),
      );
    });
    if (first.type !== 'ready') {
      child.kill();
      throw new Error(
        first.type === 'failed' ? first.message : `unexpected '${first.type}' from a step process`,
      );
    }
    const p = new StepProcess(child, first.backend);
    child.on('message', (m: FromStepProcess) => {
      const w = p.waiting;
      p.waiting = undefined;
      w?.(m);
    });
    child.on('exit', (code) => {
      p.failure ??= new Error(`the ${spec.threads}-thread step process exited with code ${code}`);
      const w = p.waiting;
      p.waiting = undefined;
      w?.({ type: 'failed', message: p.failure.message });
    });
    return p;
  }

  /** The child's process id. */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Runs `steps` training steps back to back; returns each one's time in ms. */
  async run(steps: number): Promise<readonly number[]> {
    if (this.failure) throw this.failure;
    const reply = await new Promise<FromStepProcess>((resolve) => {
      this.waiting = resolve;
      this.child.send({ type: 'run', steps } satisfies ToStepProcess);
    });
    if (reply.type === 'failed') throw new Error(reply.message);
    if (reply.type !== 'ran') throw new Error(`unexpected '${reply.type}' from a step process`);
    return reply.ms;
  }

  /** Asks the child to end (it closes its pool first); kills it if it has not gone within a few seconds. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'quit' } satisfies ToStepProcess);
    const timer = setTimeout(() => this.child.kill(), 5000);
    await gone;
    clearTimeout(timer);
  }
}
