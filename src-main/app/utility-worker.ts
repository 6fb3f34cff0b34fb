import { utilityProcess } from 'electron';
import type { FromWorker } from '../runs/worker/protocol';
import type { WorkerLauncher } from '../runs/worker/launch';

/**
 * Training workers of the desktop app: Electron utility processes running the bundled
 * train-worker.js, so a crash or a long kernel never touches the window or the store.
 */
export function utilityWorkerLauncher(entry: string, wasmDir: string): WorkerLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'GLIF training',
      stdio: 'inherit',
      env: { ...process.env, GLIF_WASM_DIR: wasmDir },
    });
    return {
      send: (m) => child.postMessage(m),
      onMessage: (h) => child.on('message', (m: unknown) => h(m as FromWorker)),
      onExit: (h) => child.once('exit', (code: number) => h(code, null)),
      kill: () => {
        child.kill();
      },
    };
  };
}
