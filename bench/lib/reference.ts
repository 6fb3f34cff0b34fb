import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Workload names of ../shared/bench/torch_reference.py. */
export type ReferenceWorkload = 'glif-layer' | 'fmnist-cnn' | 'resnet19-cifar' | 'fmnist-accuracy';

/** Which reference ran, or why none did. */
export type ReferenceInfo =
  | { readonly ok: true; readonly framework: string; readonly threads: number }
  | { readonly ok: false; readonly reason: string };

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
/** ../shared beside the checkout, as the tests find it. */
export const sharedDir = process.env.GLIF_SHARED_DIR ?? path.resolve(repoRoot, '../shared');
export const referenceScript = path.join(sharedDir, 'bench/torch_reference.py');
/** The persistent process that imports referenceScript and times its workloads on request. */
export const referenceServerScript = path.join(here, 'reference_server.py');
/** Debian's interpreter, which sees python3-torch (the reference's README says so). */
export const PYTHON = process.env.GLIF_BENCH_PYTHON ?? '/usr/bin/python3';

export const TORCH_MISSING = 'python3-torch is not installed (apt-get install -y python3-torch)';

/** Why the reference cannot run at all (no script, no interpreter), or undefined. */
export function referenceMissing(): string | undefined {
  if (!fs.existsSync(referenceScript)) return `reference script not found: ${referenceScript}`;
  if (!fs.existsSync(PYTHON))
    return `python interpreter ${PYTHON} not found (the reference needs /usr/bin/python3 with python3-torch)`;
  return undefined;
}

type Reply = Record<string, unknown>;

/**
 * The PyTorch reference as one long-lived python process (reference_server.py), so that each
 * round can time ours and then, right after, the reference on the same machine state. It only
 * computes while a command is outstanding; between commands it blocks on stdin.
 */
export class ReferenceServer {
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private exited: string | undefined;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly framework: string,
    readonly threads: number,
  ) {}

  /**
   * Starts the server and builds the workload on its side. Never throws: a missing interpreter,
   * torch or script becomes `ok: false` with the reason.
   */
  static async start(
    workload: ReferenceWorkload,
  ): Promise<{ ok: true; server: ReferenceServer } | { ok: false; reason: string }> {
    const missing = referenceMissing();
    if (missing) return { ok: false, reason: missing };
    const child = spawn(PYTHON, [referenceServerScript, path.dirname(referenceScript)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const pending: ((line: string | Error) => void)[] = [];
    const early: (string | Error)[] = [];
    const deliver = (v: string | Error) => {
      const next = pending.shift();
      if (next) next(v);
      else early.push(v);
    };
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
    child.on('error', (err) => deliver(new Error(`could not run ${PYTHON}: ${err.message}`)));
    const lines = readline.createInterface({ input: child.stdout });
    // Lines go to the server once it exists; before that (the hello line) to nextLine.
    const live: { server?: ReferenceServer } = {};
    lines.on('line', (line) => (live.server ? live.server.onLine(line) : deliver(line)));
    child.on('close', (code, signal) => {
      const why = `reference process exited with ${code ?? signal}${lastLine(stderr) ? `: ${lastLine(stderr)}` : ''}`;
      if (live.server) live.server.onExit(why);
      else deliver(new Error(why));
    });
    const nextLine = () =>
      new Promise<string | Error>((resolve) => {
        const v = early.shift();
        if (v !== undefined) resolve(v);
        else pending.push(resolve);
      });

    const hello = await nextLine();
    if (hello instanceof Error) return { ok: false, reason: hello.message };
    let info: Reply;
    try {
      info = JSON.parse(hello) as Reply;
    } catch {
      child.kill();
      return {
        ok: false,
        reason: `reference server printed something other than JSON: ${hello.slice(0, 200)}`,
      };
    }
    if (info.ok !== true) {
      const error = String(info.error ?? 'unknown error');
      return { ok: false, reason: /No module named 'torch'/.test(error) ? TORCH_MISSING : error };
    }
    const server = new ReferenceServer(child, String(info.framework), Number(info.threads));
    live.server = server;
    try {
      await server.request({ cmd: 'setup', workload });
    } catch (err) {
      await server.close();
      return { ok: false, reason: (err as Error).message };
    }
    return { ok: true, server };
  }

  private onLine(line: string): void {
    const w = this.waiting.shift();
    if (!w) return;
    try {
      const r = JSON.parse(line) as Reply;
      if (r.ok === true) w.resolve(r);
      else w.reject(new Error(`reference: ${String(r.error ?? 'unknown error')}`));
    } catch {
      w.reject(new Error(`reference printed something other than JSON: ${line.slice(0, 200)}`));
    }
  }

  private onExit(why: string): void {
    this.exited = why;
    for (const w of this.waiting.splice(0)) w.reject(new Error(why));
  }

  /** One command, one reply; rejects on an error reply or if the process dies. */
  request(cmd: Record<string, unknown>): Promise<Reply> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(JSON.stringify(cmd) + '\n');
    });
  }

  /** One untimed call of each function a round times. */
  async warmup(): Promise<void> {
    await this.request({ cmd: 'warmup' });
  }

  /** One timed round: each figure the median of `reps` calls, keyed as torch_reference.py keys them. */
  async round(reps: number): Promise<Record<string, number>> {
    const r = await this.request({ cmd: 'round', reps });
    const figures: Record<string, number> = {};
    for (const [k, v] of Object.entries(r)) if (k !== 'ok' && typeof v === 'number') figures[k] = v;
    return figures;
  }

  /** Sets the reference's torch thread count (torch.set_num_threads) for the rounds that follow. */
  async setThreads(n: number): Promise<void> {
    await this.request({ cmd: 'threads', n });
  }

  /** Asks the process to quit; kills it if it has not gone within a few seconds. */
  async close(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.request({ cmd: 'quit' }).catch(() => undefined);
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill(), 5000);
    await gone;
    clearTimeout(timer);
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
