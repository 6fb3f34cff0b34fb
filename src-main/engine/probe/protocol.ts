import type { NeuronProbeResult, ProbeTarget } from '../../contract/probe';
import type { BackendName } from '../backend';
import type { RunConfig } from '../config/types';
import type { ProbeCheckpoint } from './probe-run';

/** Messages between ProbeThread and the probe worker thread (structured clone). */
export interface ProbeJob {
  readonly id: number;
  readonly config: RunConfig;
  readonly checkpoint: ProbeCheckpoint;
  readonly target: ProbeTarget;
  /** Use this backend only; absent: the usual order (initBackend). */
  readonly backend?: BackendName;
}

/**
 * `probe`: the request cannot be made (unknown layer, channel or sample out of range);
 * `checkpoint`: the file is missing, damaged or from another model; `internal`: anything else.
 */
export type ProbeFailureKind = 'probe' | 'checkpoint' | 'internal';

export type ProbeReply =
  | { readonly id: number; readonly ok: true; readonly result: NeuronProbeResult }
  | { readonly id: number; readonly ok: false; readonly kind: ProbeFailureKind; readonly message: string };
