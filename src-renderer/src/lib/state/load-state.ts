/** What a view shows while it waits for the main side: the three states every async view designs. */
import type { ContractError } from '../api/contract';

export type LoadState<T> =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly value: T }
  | { readonly kind: 'failed'; readonly error: ContractError };

/**
 * The contract error behind a thrown value: `ApiError` carries one; anything else (a bug in the
 * renderer) is reported as internal with its message, so the view can still say what went wrong.
 */
export function contractErrorOf(error: unknown): ContractError {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    return { code: error.code as ContractError['code'], message: error.message };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
