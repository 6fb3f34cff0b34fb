/**
 * What a stored run says about how to train it again (a resume, a rerun, a queued run's turn),
 * read back checked: the manager, the hosts and the CLI ask the same questions and say the same.
 */
import { isBackendName, type BackendName } from '../contract/backends';
import { listStatuses, RESUMABLE_RUN_STATUSES } from '../contract/run-status';
import { readStoredConfig } from '../engine/config/stored';
import type { ValidRunConfig } from '../engine/config/types';
import { ConfigError } from '../engine/config/validate';
import type { RunRecord } from './store/types';

/** Why `run` cannot be resumed, or null when it can (the manager, the hosts and the CLI say the same). */
export function resumeRefusal(run: Pick<RunRecord, 'id' | 'status'>): string | null {
  return RESUMABLE_RUN_STATUSES.includes(run.status)
    ? null
    : `run ${run.id} is ${run.status}; only a ${listStatuses(RESUMABLE_RUN_STATUSES)} run can be resumed`;
}

/**
 * The config a run was stored with, read back checked (see readStoredConfig) for a resume or a
 * rerun; a config that cannot be used any more is an Error naming the run and each bad field.
 */
export function storedConfigOf(run: Pick<RunRecord, 'id' | 'config'>): ValidRunConfig {
  try {
    return readStoredConfig(run.config);
  } catch (err) {
    if (err instanceof ConfigError)
      throw new Error(`run ${run.id}'s stored config cannot be used: ${err.message}`);
    throw err;
  }
}

/**
 * The backend a run asked for, checked: null when it left the choice to its host. A name this
 * version does not know (a database shared with a newer one) is an Error naming the run.
 */
export function requestedBackendOf(run: Pick<RunRecord, 'id' | 'requestedBackend'>): BackendName | null {
  const name = run.requestedBackend;
  if (name === null || isBackendName(name)) return name;
  throw new Error(
    `run ${run.id} asks for backend '${name}', which this version of GLIF Workbench does not know`,
  );
}
