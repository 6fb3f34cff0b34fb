import type { z } from 'zod';
import { RequestFailure, type ContractError, type ErrorCode, type Result } from './errors';
import type { ParsedParamsOf, RequestTableShape, ResultOf } from './request-spec';

/**
 * One handler per request of the table. A mapped type rather than a `switch`: a request added to the
 * table without a handler is a compile error where the handlers are assembled.
 */
export type RequestHandlers<T extends RequestTableShape> = {
  readonly [K in keyof T & string]: (
    params: ParsedParamsOf<T, K>,
  ) => ResultOf<T, K> | Promise<ResultOf<T, K>>;
};

export interface DispatcherOptions {
  /** Told about handler failures that were not a deliberate `RequestFailure` (for the log). */
  onInternalError?(name: string, error: unknown): void;
}

/** Transport-independent entry point: Electron IPC and the WebSocket host both call it. */
export type Dispatch = (name: unknown, rawParams: unknown) => Promise<Result<unknown>>;

export function failure(
  code: ErrorCode,
  message: string,
): { readonly ok: false; readonly error: ContractError } {
  return { ok: false, error: { code, message } };
}

/**
 * Builds the router: checks the name against the table, validates the params with the request's
 * schema, runs the handler, and turns every outcome into a `Result`. It never throws.
 */
export function createDispatcher<T extends RequestTableShape>(
  table: T,
  handlers: RequestHandlers<T>,
  options: DispatcherOptions = {},
): Dispatch {
  return async (name, rawParams) => {
    const spec = typeof name === 'string' && Object.hasOwn(table, name) ? table[name] : undefined;
    if (typeof name !== 'string' || !spec) {
      return failure('unknown_request', `Unknown request ${JSON.stringify(name)}.`);
    }
    // A request without params may be sent with none at all.
    const parsed = spec.params.safeParse(rawParams === undefined ? {} : rawParams);
    if (!parsed.success) {
      return failure('invalid_params', describeInvalidParams(name, parsed.error));
    }
    // The name was checked against the table just above, so this handler takes these parsed params.
    const handler = handlers[name] as (params: unknown) => unknown;
    try {
      return { ok: true, data: await handler(parsed.data) };
    } catch (error) {
      if (error instanceof RequestFailure) return { ok: false, error: error.toContractError() };
      options.onInternalError?.(name, error);
      const detail = error instanceof Error ? error.message : String(error);
      return failure('internal', `Request '${name}' failed: ${detail}`);
    }
  };
}

/** `Invalid params for 'runs.create': epochs: Too small: expected number to be >=1` */
export function describeInvalidParams(name: string, error: z.ZodError): string {
  const problems = error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'params';
    return `${where}: ${issue.message}`;
  });
  return `Invalid params for '${name}': ${problems.join('; ')}`;
}
