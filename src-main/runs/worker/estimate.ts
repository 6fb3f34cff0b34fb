/**
 * The epoch estimate a run on an image folder gets before it is created (engine/train/
 * epoch-estimate.ts), asked of a worker process as training would be: the backend, its threads and
 * its memory stay in a process that ends with the answer.
 */
import type { EpochEstimateAnswer } from '../../contract/epoch-estimate';
import type { BackendName } from '../../engine/backend';
import type { RunConfig } from '../../engine/config/types';
import { epochEstimateMessage, estimateNeeded, mustConfirmEstimate } from '../../engine/train/epoch-estimate';
import type { EpochEstimate } from '../../contract/epoch-estimate';
import type { WorkerLauncher } from './launch';

/** Building ResNet-34 at 224 px and three steps of two samples on one CPU thread take about a minute. */
const ESTIMATE_TIMEOUT_MS = 10 * 60_000;

export function estimateInWorker(
  launch: WorkerLauncher,
  config: RunConfig,
  backend: BackendName | undefined,
): Promise<EpochEstimate> {
  return new Promise((resolve, reject) => {
    const worker = launch();
    const timer = setTimeout(() => {
      worker.kill();
      reject(new Error(`the epoch estimate gave no answer in ${ESTIMATE_TIMEOUT_MS / 60_000} min`));
    }, ESTIMATE_TIMEOUT_MS);
    worker.onMessage((m) => {
      if (m.type === 'estimate') resolve(m.estimate);
      else if (m.type === 'estimateFailed') reject(new Error(`the epoch estimate failed: ${m.error}`));
      else return;
      clearTimeout(timer);
    });
    worker.onExit((code, signal) => {
      clearTimeout(timer);
      // After an answer this changes nothing (a promise settles once).
      reject(new Error(`the epoch estimate's worker exited without an answer (${signal ?? `code ${code}`})`));
    });
    worker.send({ type: 'estimate', config, backend });
  });
}

/** Whether `config` is estimated before it starts, and if so the estimate and what it asks of the user. */
export async function epochEstimateFor(
  launch: WorkerLauncher,
  config: RunConfig,
  backend: BackendName | undefined,
): Promise<EpochEstimateAnswer> {
  if (!estimateNeeded(config)) return { needed: false, estimate: null, message: null, mustConfirm: false };
  const estimate = await estimateInWorker(launch, config, backend);
  return {
    needed: true,
    estimate,
    message: epochEstimateMessage(config, estimate),
    mustConfirm: mustConfirmEstimate(config, estimate),
  };
}
