/**
 * Entry of the training worker process (a Node child process in the CLI and headless host,
 * an Electron utilityProcess in the desktop app). It trains one run and reports over the
 * parent channel; it never touches the store. If the parent goes away it stops at once, so a
 * killed app never leaves an orphan training in the background.
 */
import { initBackend } from '../../engine/backend';
import { neuronImplFromEnv } from '../../engine/glif/impl';
import { cacheRootFromEnv } from '../../engine/data/cache-location';
import { train } from '../../engine/train/trainer';
import { probeEpoch } from '../../engine/train/epoch-probe';
import type { FromWorker, ToWorker } from './protocol';

interface ParentPort {
  send(message: FromWorker): void;
  onMessage(handler: (message: ToWorker) => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

/** An Electron utilityProcess talks through process.parentPort; a Node child through process.send. */
function parentPort(): ParentPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      send: (m) => electronPort.postMessage(m),
      onMessage: (h) => electronPort.on('message', (e) => h(e.data as ToWorker)),
    };
  }
  return nodeParentPort();
}

function nodeParentPort(): ParentPort {
  if (!process.send) throw new Error('the training worker must be started with an IPC channel');
  process.on('disconnect', () => process.exit(0));
  return {
    // The parent may die (kill -9) while this process trains on: until 'disconnect' arrives,
    // a message sent into the closed channel fails with EPIPE. Without the callback that is an
    // uncaught 'error' event, whose stack trace lands on the terminal the parent shared.
    send: (m) => {
      if (!process.connected) return;
      process.send!(m, undefined, undefined, (error) => {
        if (error) process.exit(0);
      });
    },
    onMessage: (h) => process.on('message', (m) => h(m as ToWorker)),
  };
}

export function runWorker(port: ParentPort): void {
  // A terminal's Ctrl-C reaches the whole process group, this worker included. The parent
  // decides what it means (cancel after the step in `glif train`, stop and record the run in
  // `glif serve`) and ends this process itself; dying here first would record a failed run.
  process.on('SIGINT', () => {});
  const abort = new AbortController();
  let started = false;
  const handle = async (message: ToWorker): Promise<void> => {
    switch (message.type) {
      case 'cancel':
        abort.abort();
        return;
      case 'survey': {
        if (started) return;
        started = true;
        try {
          port.send({ type: 'backend', report: await initBackend({ probeAll: true }) });
        } finally {
          // Not a training process: nothing to stay for (a failure reads as an exit without report).
          setTimeout(() => process.exit(0), 50);
        }
        return;
      }
      case 'estimate': {
        if (started) return;
        started = true;
        try {
          const report = await initBackend(message.backend ? { only: message.backend } : {});
          port.send({ type: 'estimate', estimate: await probeEpoch(message.config, report.active) });
        } catch (err) {
          port.send({ type: 'estimateFailed', error: (err as Error).message ?? String(err) });
        } finally {
          setTimeout(() => process.exit(0), 50);
        }
        return;
      }
      case 'start': {
        if (started) return;
        started = true;
        let outcome;
        try {
          const report = await initBackend(message.backend ? { only: message.backend } : {});
          port.send({ type: 'backend', report });
          outcome = await train({
            config: message.config,
            checkpointDir: message.checkpointDir,
            resumeFrom: message.resumeFrom,
            signal: abort.signal,
            backend: report.active,
            threads: message.threads,
            // The process's edge: the one place training reads the override (GLIF_NEURON_IMPL).
            neuronImpl: neuronImplFromEnv(process.env),
            cacheRoot: cacheRootFromEnv(process.env),
            sink: (event) => port.send({ type: 'event', event }),
          });
        } catch (err) {
          outcome = { status: 'failed' as const, error: (err as Error).message, epochsDone: 0, seconds: 0 };
        }
        port.send({ type: 'done', outcome });
        // Let the IPC channel drain before leaving.
        setTimeout(() => process.exit(0), 50);
        return;
      }
    }
  };
  port.onMessage((message) => {
    // Only reporting can throw here (training failures become the outcome): end the process,
    // which the parent records as a crashed run, rather than train on unheard.
    handle(message).catch((err: unknown) => {
      console.error(`training worker: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
  });
}

runWorker(parentPort());
