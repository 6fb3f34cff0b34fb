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

/**
 * One line for a store failure logged in the background (a full disk, a locked or read-only
 * file): the user's environment, not a bug, so no stack trace unless GLIF_DEBUG asks for one.
 */
export function storeErrorLine(error: unknown): string {
  if (process.env.GLIF_DEBUG && error instanceof Error && error.stack) return error.stack;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${message} (${code})` : message;
}
