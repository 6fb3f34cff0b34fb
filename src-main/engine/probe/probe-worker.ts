/**
 * Entry of the probe worker thread: computes neuron probes (probe-run.ts) off the thread that
 * asked, one at a time, with its own TF.js backend. probe-thread.ts starts it.
 */
import { parentPort } from 'node:worker_threads';
import { initBackend } from '../backend';
import { CheckpointError } from '../train/checkpoint';
import { ProbeError } from './neurons';
import { probeRun } from './probe-run';
import type { ProbeJob, ProbeReply } from './protocol';

const port = parentPort;
if (!port) throw new Error('probe-worker must run in a worker thread');

async function answer(job: ProbeJob): Promise<ProbeReply> {
  try {
    const backend = await initBackend(job.backend ? { only: job.backend } : {});
    const result = await probeRun({ ...job, backend: backend.active });
    return { id: job.id, ok: true, result };
  } catch (err) {
    const kind =
      err instanceof ProbeError ? 'probe' : err instanceof CheckpointError ? 'checkpoint' : 'internal';
    return { id: job.id, ok: false, kind, message: err instanceof Error ? err.message : String(err) };
  }
}

// One probe at a time: each builds a model and reads a checkpoint, and they share the backend.
let queue: Promise<void> = Promise.resolve();
port.on('message', (job: ProbeJob) => {
  queue = queue.then(async () => port.postMessage(await answer(job)));
});
