/**
 * The main side as both hosts get it: one Workbench on the store, the contract's handlers on it,
 * and the dispatcher in front of them. The Electron shell binds the dispatcher to IPC, `glif serve`
 * to a WebSocket; neither wires the service itself, so the two cannot drift apart.
 */
import { createDispatcher, type Dispatch } from '../contract/dispatch';
import { requests } from '../contract/requests';
import type { BackendName } from '../engine/backend';
import type { RunStore } from '../runs/store/run-store';
import type { WorkerLauncher } from '../runs/worker/launch';
import { createRequestHandlers, type HostDescription } from './request-handlers';
import { Workbench, type EmitEvent } from './workbench';

export interface MainSideOptions {
  readonly store: RunStore;
  /** The store's folder: checkpoints go under it. */
  readonly dataDir: string;
  /** Pushes an event to every connected renderer, over this host's transport. */
  readonly emit: EmitEvent;
  readonly host: HostDescription;
  /** How a run's worker is started (the desktop app uses Electron's utility processes). */
  readonly launch?: WorkerLauncher;
  readonly backend?: BackendName;
  /** Training threads of each run (default: GLIF_THREADS, else every core). */
  readonly threads?: number;
}

export interface MainSide {
  readonly workbench: Workbench;
  /** Never throws: every outcome, a handler's failure included, is a `Result`. */
  readonly dispatch: Dispatch;
}

export function createMainSide(o: MainSideOptions): MainSide {
  const workbench = new Workbench(o.store, o.dataDir, o.emit, {
    launch: o.launch,
    backend: o.backend,
    threads: o.threads,
  });
  const dispatch = createDispatcher(requests, createRequestHandlers(o.host, workbench), {
    onInternalError: (name, error) => console.error(`Request '${name}' failed:`, error),
  });
  return { workbench, dispatch };
}
