import type { z } from 'zod';

/**
 * One request of the contract: the zod schema of its params (checked on the main side at run time)
 * and, as a type only, what it answers with. Results are produced by our own code, so they are not
 * re-validated.
 */
export interface RequestSpec<P extends z.ZodType, R> {
  readonly params: P;
  /** Phantom: carries the result type; never set at run time. */
  readonly __result?: R;
}

/** Any table of request specs, keyed by request name (`'system.info'`, `'runs.list'`, ...). */
export type RequestTableShape = { readonly [name: string]: RequestSpec<z.ZodType, unknown> };

/**
 * `defineRequest<SystemInfo>()(z.strictObject({}))`: curried so the result type is written once and
 * the params type is inferred from the schema.
 */
export function defineRequest<R>() {
  return <P extends z.ZodType>(params: P): RequestSpec<P, R> => ({ params });
}

/** What a caller sends (before defaults and transforms). */
export type ParamsOf<T extends RequestTableShape, K extends keyof T> = z.input<T[K]['params']>;
/** What a handler receives (after validation). */
export type ParsedParamsOf<T extends RequestTableShape, K extends keyof T> = z.output<T[K]['params']>;
export type ResultOf<T extends RequestTableShape, K extends keyof T> =
  T[K] extends RequestSpec<z.ZodType, infer R> ? R : never;
