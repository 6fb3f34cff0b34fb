import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { NeuronProbeResult } from '../../contract/probe';
import type { BackendName } from '../backend';
import type { ProbeFailureKind, ProbeJob, ProbeReply } from './protocol';

/** A probe the worker could not compute; `kind` says whose fault (protocol.ts). */
export class ProbeFailure extends Error {
  constructor(
    readonly kind: ProbeFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ProbeFailure';
  }
}

/** Where the worker entry is: the TypeScript source through tsx, or the bundled build beside us. */
function workerEntry(): { url: URL; workerData?: { entry: string } } {
  const self = import.meta.url;
  if (self.endsWith('.ts')) {
    return {
      url: new URL('../parallel/boot-worker.mjs', self),
      workerData: { entry: new URL('./probe-worker.ts', self).href },
    };
  }
  // The bundler may place this code in a shared chunk one folder below the entries.
  for (const rel of ['./probe-worker.js', '../probe-worker.js']) {
    const url = new URL(rel, self);
    if (fs.existsSync(fileURLToPath(url))) return { url };
  }
  throw new Error(`the probe worker script is missing next to ${self}`);
}

type Pending = { resolve: (r: NeuronProbeResult) => void; reject: (e: Error) => void };

/**
 * Computes neuron probes in a worker thread, so a model build, a checkpoint read and a forward
 * pass never block the event loop of the process that serves the UI. The thread starts on the
 * first probe and stays for the next ones (its backend is initialised once); if it dies, the
 * probes in flight fail and the next probe starts a new one. It never keeps the process alive.
 */
export class ProbeThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly backend?: BackendName) {}

  probe(job: Omit<ProbeJob, 'id' | 'backend'>): Promise<NeuronProbeResult> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...job, id, backend: this.backend } satisfies ProbeJob);
    });
  }

  /** Stops the thread; probes in flight fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll(new ProbeFailure('internal', 'the probe worker was stopped'));
  }

  private start(): Worker {
    const { url, workerData } = workerEntry();
    const worker = new Worker(url, { workerData });
    worker.unref();
    worker.on('message', (reply: ProbeReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new ProbeFailure(reply.kind, reply.message));
    });
    const died = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new ProbeFailure('internal', `the probe worker ${why}`));
    };
    worker.on('error', (err) => died(`failed: ${err.message}`));
    worker.on('exit', (code) => died(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
