/**
 * Colours the user picked for runs, over the palette's choice by creation order (run-colors.ts):
 * kept in local storage by run id, so a run keeps its picked colour in every comparison and
 * after a restart. Pure parsing here, for unit tests; run-color-overrides.svelte.ts keeps them.
 */

/** Where the picks are kept in the renderer's local storage. */
export const RUN_COLORS_STORAGE_KEY = 'glif.runColors';

const HEX = /^#[0-9a-f]{6}$/;
const RUN_ID = /^[a-z0-9]{6,40}$/;

/** A stored value as a map of run id to #rrggbb; anything malformed is left out, never thrown. */
export function parseRunColorChoices(text: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!text) return out;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  for (const [runId, color] of Object.entries(value)) {
    if (RUN_ID.test(runId) && typeof color === 'string' && HEX.test(color.toLowerCase()))
      out.set(runId, color.toLowerCase());
  }
  return out;
}

export function serializeRunColorChoices(choices: ReadonlyMap<string, string>): string {
  return JSON.stringify(Object.fromEntries(choices));
}
