/**
 * Which optional columns the Runs list shows, as kept in the renderer's local storage: a JSON
 * list of column keys. Pure, for unit tests; column-choice.svelte.ts reads and writes it.
 */
import { DEFAULT_COLUMNS, isColumnKey, type ColumnKey } from './run-columns';

export const COLUMNS_STORAGE_KEY = 'glif.runs.columns';

/** More would not fit a screen even scrolled; a longer stored list was not written by us. */
export const MAX_COLUMNS = 60;

/**
 * The stored choice, in its order, without duplicates or keys this version does not know (a
 * result column since removed); the defaults when nothing usable is stored. An empty list is a
 * choice (every optional column removed), kept as such.
 */
export function parseColumnChoice(text: string | null | undefined): readonly ColumnKey[] {
  if (text === null || text === undefined) return DEFAULT_COLUMNS;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return DEFAULT_COLUMNS;
  }
  if (!Array.isArray(value)) return DEFAULT_COLUMNS;
  const keys = value.filter((item): item is ColumnKey => typeof item === 'string' && isColumnKey(item));
  if (keys.length === 0 && value.length > 0) return DEFAULT_COLUMNS;
  return [...new Set(keys)].slice(0, MAX_COLUMNS);
}

export function serializeColumnChoice(keys: readonly ColumnKey[]): string {
  return JSON.stringify(keys);
}

/** Adds a column at the end, or removes it; the list is a new one. */
export function toggleColumn(keys: readonly ColumnKey[], key: ColumnKey, on: boolean): readonly ColumnKey[] {
  if (!on) return keys.filter((k) => k !== key);
  if (keys.includes(key) || keys.length >= MAX_COLUMNS) return keys;
  return [...keys, key];
}
