import { existsSync } from 'node:fs';
import { readStoredConfig } from '../engine/config/stored';
import type { ValidRunConfig } from '../engine/config/types';
import type { CheckpointRecord, RunStoreReader } from './store/types';

/** A run the neuron probe cannot read: unknown, trained on another engine, or without a checkpoint file on disk. */
export class ProbeSourceError extends Error {
  constructor(
    message: string,
    readonly code: 'unknown_run' | 'no_checkpoint' | 'other_engine',
  ) {
    super(message);
    this.name = 'ProbeSourceError';
  }
}

/** What a probe of a run reads: its config and its newest checkpoint still on disk. */
export interface ProbeSource {
  readonly runId: string;
  readonly config: ValidRunConfig;
  readonly checkpoint: CheckpointRecord;
}

/**
 * The newest checkpoint of a run that is still on disk (the trainer prunes older files but
 * keeps their rows), so a running run is probed as of its last finished epoch.
 */
export function probeSource(
  store: Pick<RunStoreReader, 'getRun' | 'getCheckpoints'>,
  runId: string,
): ProbeSource {
  const run = store.getRun(runId);
  if (!run) throw new ProbeSourceError(`no run '${runId}' in this database`, 'unknown_run');
  const config = readStoredConfig(run.config);
  // The probe loads the model into TF.js from the run's checkpoint: a torch run's is PyTorch's.
  if (config.engine.name !== 'tfjs')
    throw new ProbeSourceError(
      `run '${runId}' trained on the ${config.engine.name} engine; the neuron probe reads the tfjs engine's checkpoints only`,
      'other_engine',
    );
  const onDisk = store
    .getCheckpoints(runId)
    .filter((c) => existsSync(c.path))
    .sort((a, b) => b.epoch - a.epoch);
  const checkpoint = onDisk[0];
  if (!checkpoint)
    throw new ProbeSourceError(
      `run '${runId}' has no checkpoint on disk yet (one is written at the end of every epoch)`,
      'no_checkpoint',
    );
  return { runId, config, checkpoint };
}
