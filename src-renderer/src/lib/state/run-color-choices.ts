/**
 * Colours the user picked for runs, over the palette's choice by creation order (run-colors.ts):
 * kept in local storage by run id, so a run keeps its picked colour in every comparison and
 * after a restart. Pure parsing here, for unit tests; run-color-overrides.svelte.ts keeps them.
 */

import { parseStoredRecord } from './stored-record';

/** Where the picks are kept in the renderer's local storage. */
export const RUN_COLORS_STORAGE_KEY = 'glif.runColors';

const HEX = /^#[0-9a-f]{6}$/;
const RUN_ID = /^[a-z0-9]{6,40}$/;

/** A stored value as a map of run id to #rrggbb; anything malformed is left out, never thrown. */
export function parseRunColorChoices(text: string | null): Map<string, string> {
  return parseStoredRecord(text, (runId, color) =>
    RUN_ID.test(runId) && typeof color === 'string' && HEX.test(color.toLowerCase())
      ? color.toLowerCase()
      : undefined,
  );
}

export function serializeRunColorChoices(choices: ReadonlyMap<string, string>): string {
  return JSON.stringify(Object.fromEntries(choices));
}
