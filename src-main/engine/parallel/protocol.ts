import type { BackendName } from '../backend';
import type { RunConfig } from '../config/types';
import type { ResolvedNeuronImpl } from '../glif/impl';
import type { Batch, DatasetInfo } from '../data/dataset';
import type { BatchEvaluation } from '../train/evaluate';
import type { GroupInit } from './collective';

/**
 * Messages between the leader of a data-parallel run (the thread that runs the trainer) and its
 * replica threads. Everything here is structured-cloneable; typed arrays are copied, shared
 * buffers shared.
 */

/** A model's whole training state: parameters, buffers (running statistics), momentum. */
export interface ReplicaState {
  readonly params: ReadonlyArray<readonly [path: string, values: Float32Array]>;
  readonly buffers: ReadonlyArray<readonly [path: string, values: Float32Array]>;
  readonly momentum: ReadonlyArray<readonly [path: string, values: Float32Array]>;
  readonly optimizerSteps: number;
}

export type ToReplica =
  | {
      readonly type: 'init';
      readonly config: RunConfig;
      readonly dataset: DatasetInfo;
      readonly backend: BackendName;
      /** The leader's neuron implementation: replicas must run the same one (and its tdBN). */
      readonly neuronImpl: ResolvedNeuronImpl;
      readonly group: GroupInit;
    }
  | { readonly type: 'state'; readonly state: ReplicaState }
  | {
      readonly type: 'step';
      readonly batch: Batch;
      readonly lr: number;
      /** Samples in the whole batch; with `whole`, every replica trains on all of it. */
      readonly total: number;
      /**
       * A batch smaller than the group (an epoch's short last batch): every replica runs all of it
       * alone, with local statistics, and reaches the same update without a collective.
       */
      readonly whole: boolean;
    }
  | { readonly type: 'evaluate'; readonly batch: Batch }
  | { readonly type: 'pull' };

export type FromReplica =
  | { readonly type: 'ready' }
  | { readonly type: 'stepped'; readonly loss: number; readonly hits: number }
  | { readonly type: 'state'; readonly state: ReplicaState }
  | { readonly type: 'evaluated'; readonly result: BatchEvaluation }
  | { readonly type: 'failed'; readonly message: string; readonly aborted: boolean };
