/**
 * Errors that cross the process boundary. They are plain objects (structured-clone and JSON safe)
 * with a stable machine `code` and a human `message`; callers decide whether to throw or handle.
 */

/** Every code the main side may answer with. Append only: the renderer and scripts match on them. */
export const ERROR_CODES = [
  /** The request name is not part of the contract. */
  'unknown_request',
  /** The params failed schema validation; the message names the offending field. */
  'invalid_params',
  /** The request came from a frame that is not our own renderer. */
  'forbidden',
  /** The thing asked for (a run, a checkpoint) does not exist. */
  'not_found',
  /** The request conflicts with the current state (e.g. cancelling a finished run). */
  'conflict',
  /** The main side, or the connection to it, is not available right now. */
  'unavailable',
  /** No answer came back in time. */
  'timeout',
  /** A bug or an unexpected failure on the main side. */
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ContractError {
  readonly code: ErrorCode;
  readonly message: string;
}

/** What every request resolves to, whatever the transport. */
export type Result<T> =
  { readonly ok: true; readonly data: T } | { readonly ok: false; readonly error: ContractError };

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * Thrown by a request handler to answer with a specific code. Anything else a handler throws is
 * reported as `internal`.
 */
export class RequestFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RequestFailure';
  }

  toContractError(): ContractError {
    return { code: this.code, message: this.message };
  }
}
