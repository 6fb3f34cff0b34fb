import type { RunConfig } from '../../engine/config/types';
import type { BackendName, BackendReport } from '../../engine/backend';
import type { TrainEvent, TrainOutcome } from '../../engine/train/events';
import type { EpochEstimate } from '../../contract/epoch-estimate';

/**
 * Messages between the run manager (the only store writer) and the training worker process.
 * The worker owns TensorFlow.js; the manager owns SQLite. One worker trains one run.
 */
export type ToWorker =
  | {
      readonly type: 'start';
      readonly runId: string;
      readonly config: RunConfig;
      readonly checkpointDir: string;
      readonly resumeFrom?: { readonly path: string; readonly sha256: string };
      readonly backend?: BackendName;
      /** Training threads; absent: GLIF_THREADS, else every core. */
      readonly threads?: number;
    }
  | { readonly type: 'cancel' }
  /**
   * Trains nothing: reports every backend this host could train on (initBackend's probeAll) with
   * a `backend` message, then exits. Asked in a worker because loading a native backend or Dawn
   * in the host's own process would stay loaded there.
   */
  | { readonly type: 'survey' }
  /**
   * Trains nothing: times a few steps of `config`'s network on `backend` (the host's choice when
   * absent) and answers with an `estimate` message (engine/train/epoch-probe.ts), then exits.
   */
  | { readonly type: 'estimate'; readonly config: RunConfig; readonly backend?: BackendName };

export type FromWorker =
  | { readonly type: 'backend'; readonly report: BackendReport }
  /** The torch engine's processes and device (`pytorch 1.13.0 · ddp · 2 processes · gloo · cpu`). */
  | { readonly type: 'engine'; readonly description: string }
  | { readonly type: 'event'; readonly event: TrainEvent }
  | { readonly type: 'done'; readonly outcome: TrainOutcome }
  | { readonly type: 'estimate'; readonly estimate: EpochEstimate }
  | { readonly type: 'estimateFailed'; readonly error: string };
