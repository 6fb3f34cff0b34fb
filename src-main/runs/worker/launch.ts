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
}

export type WorkerLauncher = () => WorkerHandle;

const here = path.dirname(fileURLToPath(import.meta.url));

/** A Node child process running train-worker.ts through tsx (CLI and headless host). */
export const launchNodeWorker: WorkerLauncher = () => {
  const child = fork(path.join(here, 'train-worker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
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
};
