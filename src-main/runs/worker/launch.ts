import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker } from './protocol';

/** A running training worker, whatever kind of process it is. */
export interface WorkerHandle {
  send(message: ToWorker): void;
  onMessage(handler: (message: FromWorker) => void): void;
  /** Called once when the process has ended (code null when killed by a signal). */
  onExit(handler: (code: number | null, signal: string | null) => void): void;
  kill(): void;
  /**
   * The run's own training time, ms, where it was not trained while this handle ran (a run
   * imported from its events file); absent, the run manager times the handle itself.
   */
  trainedMs?(): number;
}

export type WorkerLauncher = () => WorkerHandle;

const here = path.dirname(fileURLToPath(import.meta.url));

/** A Node child process running train-worker.ts through tsx (CLI and headless host). */
export const launchNodeWorker: WorkerLauncher = () => forkWorker(path.join(here, 'train-worker.ts'));

/** A worker process running `entry` (train-worker.ts; a test may run a stand-in speaking the same protocol). */
export function forkWorker(entry: string): WorkerHandle {
  const child = fork(entry, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // Structured clone, not JSON: a diverged loss (Infinity) or a NaN must reach the manager as
    // a number; JSON would turn it into null, and the store would refuse that step's points.
    serialization: 'advanced',
    // The worker shares the terminal; keep its process group so Ctrl-C reaches the parent,
    // which cancels cleanly and then ends the worker.
    detached: false,
  });
  return {
    send: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (h) => child.on('message', (m) => h(m as FromWorker)),
    onExit: (h) => child.once('exit', (code, signal) => h(code, signal)),
    kill: () => child.kill('SIGKILL'),
  };
}
