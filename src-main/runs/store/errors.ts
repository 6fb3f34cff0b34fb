export type RunStoreErrorCode =
  | 'not_found'
  | 'invalid_transition'
  | 'invalid_input'
  | 'run_active'
  | 'schema_too_new'
  | 'schema_too_old'
  | 'not_wal'
  | 'read_only'
  | 'closed';

/**
 * A failure the caller can act on, with a stable `code` so that IPC layers can pass it on as a
 * plain object and the UI can choose a message without parsing text.
 */
export class RunStoreError extends Error {
  constructor(
    readonly code: RunStoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RunStoreError';
  }
}
