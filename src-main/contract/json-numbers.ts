/**
 * JSON has no Infinity or NaN: JSON.stringify writes them as null, so a diverged loss (Infinity)
 * or a NaN would read as "not recorded". Two encodings keep them:
 *
 * - On the WebSocket of the headless host (events and responses), a non-finite number is sent as
 *   `{"$nonFinite": "Infinity" | "-Infinity" | "NaN"}` and the UI's transport turns it back into
 *   the number. A tagged object, not a plain string, so that a string a user typed (a run named
 *   "NaN") can never be decoded into a number.
 * - In JSON the CLI prints or exports, for people and scripts, it is the string "Infinity",
 *   "-Infinity" or "NaN" (what Python's float() and JavaScript's Number() read back).
 *
 * Electron's IPC and the worker's IPC use structured clone, which keeps these numbers as they are.
 */

export type NonFiniteName = 'Infinity' | '-Infinity' | 'NaN';

export const NON_FINITE_KEY = '$nonFinite';

export function nonFiniteName(value: number): NonFiniteName | null {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return null;
}

/** JSON text for the host's WebSocket, with non-finite numbers tagged (see above). */
export function toWireJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    const name = typeof v === 'number' ? nonFiniteName(v) : null;
    return name === null ? v : { [NON_FINITE_KEY]: name };
  });
}

/** JSON text for the CLI's output and exports, with non-finite numbers as strings (see above). */
export function toOutputJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'number' ? (nonFiniteName(v) ?? v) : v),
    indent,
  );
}
