/**
 * The TF.js backends' names, defined once and without Node imports: the engine chooses between
 * them (engine/backend.ts), `runs.create` checks a run's requested backend against them, and the
 * renderer lists them. Their order is the automatic choice's preference, fastest first.
 */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Whether `value` (a stored run's requested backend, say) is one of the names. */
export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}
