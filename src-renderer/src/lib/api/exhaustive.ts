/**
 * In the `default` of a `switch` over a union: an unhandled new variant becomes a compile error. (The
 * renderer keeps its own copy because it imports only types from the contract.)
 */
export function missingCase(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
