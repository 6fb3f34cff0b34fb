import { RunStoreError } from '../../runs/store/errors';

/**
 * An error the user caused (bad flag, bad file, bad value). The CLI prints its
 * message as one line, without a stack trace, and exits with `exitCode`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * One line for a store failure that reached the top of a command (a database made read-only
 * or locked while it ran, a full disk): the user's environment, not a bug to trace. SQLite's
 * errors are known by name, so that `glif --help` need not load better-sqlite3 to say this.
 */
export function storeFailureLine(err: unknown): string | null {
  if (err instanceof RunStoreError) return err.message;
  if (err instanceof Error && err.name === 'SqliteError' && 'code' in err && typeof err.code === 'string') {
    return `run database error: ${err.message} (${err.code})`;
  }
  return null;
}
