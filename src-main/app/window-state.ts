/**
 * Remembers the main window's size and position between launches, in a small JSON file in userData.
 * What is read back is validated: a corrupt file, absurd numbers, or a position on a monitor that is
 * no longer attached are ignored, and the window opens at its default size instead.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowState extends Rect {
  readonly maximized: boolean;
}

export const WINDOW_STATE_FILE = 'window-state.json';
export const MIN_WINDOW_SIZE = { width: 960, height: 600 } as const;
export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 820 } as const;

/** The window counts as reachable when this much of it (e.g. its title bar) is on some display. */
const MIN_VISIBLE = { width: 120, height: 40 } as const;
/** Larger than any real display arrangement; beyond this the file is not to be trusted. */
const MAX_COORDINATE = 100_000;

const coordinate = z.number().int().min(-MAX_COORDINATE).max(MAX_COORDINATE);
const windowStateSchema = z.object({
  x: coordinate,
  y: coordinate,
  width: z.number().int().min(MIN_WINDOW_SIZE.width).max(MAX_COORDINATE),
  height: z.number().int().min(MIN_WINDOW_SIZE.height).max(MAX_COORDINATE),
  maximized: z.boolean().default(false),
});

/**
 * Returns the saved state when it is well-formed and enough of the window lands on one of the
 * `workAreas` (the displays' usable rectangles); otherwise `null`.
 */
export function parseWindowState(raw: unknown, workAreas: readonly Rect[]): WindowState | null {
  const parsed = windowStateSchema.safeParse(raw);
  if (!parsed.success) return null;
  const state = parsed.data;
  return workAreas.some((area) => isReachableOn(state, area)) ? state : null;
}

function isReachableOn(window: Rect, area: Rect): boolean {
  const overlapWidth = Math.min(window.x + window.width, area.x + area.width) - Math.max(window.x, area.x);
  const overlapHeight = Math.min(window.y + window.height, area.y + area.height) - Math.max(window.y, area.y);
  const titleBarOnScreen = window.y >= area.y && window.y < area.y + area.height;
  return overlapWidth >= MIN_VISIBLE.width && overlapHeight >= MIN_VISIBLE.height && titleBarOnScreen;
}

/** Reads the state file; a missing or unreadable file is the normal first-launch case, not an error. */
export function loadWindowState(file: string, workAreas: readonly Rect[]): WindowState | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    return parseWindowState(JSON.parse(text), workAreas);
  } catch {
    return null;
  }
}

/** Writes through a temporary file and a rename, so a crash mid-write never leaves half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  const rounded: WindowState = {
    x: Math.round(state.x),
    y: Math.round(state.y),
    width: Math.round(state.width),
    height: Math.round(state.height),
    maximized: state.maximized,
  };
  writeFileSync(temporary, JSON.stringify(rounded, null, 2) + '\n', 'utf8');
  renameSync(temporary, file);
}
