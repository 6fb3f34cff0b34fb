/**
 * Put in the `default` branch of a `switch` over a union: a new variant that is not handled turns
 * into a compile error here, and a value that slipped past the types at run time into a clear throw.
 */
export function missingCase(value: never, what = 'case'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}
