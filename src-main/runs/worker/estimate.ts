/**
 * The epoch estimate a run on an image folder gets before it is created (engine/train/
 * epoch-estimate.ts), asked of a worker process as training would be: the backend, its threads and
 * its memory stay in a process that ends with the answer.
 */
import type { BackendName } from '../../engine/backend';
import type { RunConfig } from '../../engine/config/types';
import { epochEstimateMessage, estimateNeeded, mustConfirmEstimate } from '../../engine/train/epoch-estimate';
import type { EpochEstimate, EpochEstimateAnswer } from '../../contract/epoch-estimate';
import type { WorkerLauncher } from './launch';
import { askWorker } from './ask-worker';

/** Building ResNet-34 at 224 px and three steps of two samples on one CPU thread take about a minute. */
const ESTIMATE_TIMEOUT_MS = 10 * 60_000;

export function estimateInWorker(
  launch: WorkerLauncher,
  config: RunConfig,
  backend: BackendName | undefined,
): Promise<EpochEstimate> {
  return askWorker<EpochEstimate>(
    launch,
    { type: 'estimate', config, backend },
    (m) =>
      m.type === 'estimate'
        ? { ok: m.estimate }
        : m.type === 'estimateFailed'
          ? { error: `the epoch estimate failed: ${m.error}` }
          : undefined,
    { timeoutMs: ESTIMATE_TIMEOUT_MS, what: 'the epoch estimate' },
  );
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
