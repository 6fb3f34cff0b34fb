/**
 * Sorting and filtering of the runs table. Pure functions over `RunSummary`, applied in the
 * renderer so that a click on a header or a key in the search box answers at once, without a
 * round trip (the whole list is loaded anyway, to be kept live by events).
 */
import type { RunStatus, RunSummary, VariantDescription } from '../api/contract';
import {
  columnValue,
  compareKeys,
  firstDirection,
  sortKey,
  VARIANT_KEY,
  type ColumnKey,
  type ConfigLookup,
} from './run-columns';

export const RUN_STATUSES: readonly RunStatus[] = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
];

/** Active runs first, then the ones that need attention, finished ones last. */
const STATUS_RANK: Readonly<Record<RunStatus, number>> = {
  running: 0,
  queued: 1,
  interrupted: 2,
  failed: 3,
  cancelled: 4,
  completed: 5,
};

/** What the list sorts by: a fixed column, the creation time, or one of the chosen columns. */
export type SortColumn = 'status' | 'name' | 'createdAt' | ColumnKey;

export type SortDirection = 'asc' | 'desc';

export interface RunSort {
  readonly column: SortColumn;
  readonly direction: SortDirection;
}

export const DEFAULT_SORT: RunSort = { column: 'createdAt', direction: 'desc' };

/** The direction of a first click: best and newest first for results, A to Z otherwise. */
function firstSortDirection(column: SortColumn): SortDirection {
  if (column === 'createdAt') return 'desc';
  if (column === 'status' || column === 'name') return 'asc';
  return firstDirection(column);
}

/** A click on a header: the same column flips, another column starts at its first direction. */
export function nextSort(current: RunSort, column: SortColumn): RunSort {
  if (current.column === column) return { column, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { column, direction: firstSortDirection(column) };
}

/** Names variants by their bio-features; falls back to the id when the schema is not loaded. */
export type VariantNamer = (variantId: string | null) => string;

export function variantNamer(variants: readonly VariantDescription[]): VariantNamer {
  const byId = new Map(variants.map((variant) => [variant.id as string, variant]));
  return (variantId) => {
    if (variantId === null) return '';
    const variant = byId.get(variantId);
    if (!variant) return variantId;
    return variant.bits ? `${variant.label} (${variant.bits})` : variant.label;
  };
}

function sortValue(
  run: RunSummary,
  column: SortColumn,
  nameVariant: VariantNamer,
  configOf: ConfigLookup,
): string | number | null {
  switch (column) {
    case 'status':
      return STATUS_RANK[run.status];
    case 'name':
      return run.name.toLocaleLowerCase();
    case 'createdAt':
      return run.createdAt;
    case VARIANT_KEY:
      // By the name shown, not the id: "Exp · Uni · Hard" sorts with its kind.
      return run.columns.variant === null ? null : nameVariant(run.columns.variant).toLocaleLowerCase();
    default:
      return sortKey(columnValue(run, column, configOf));
  }
}

const NO_CONFIGS: ConfigLookup = () => undefined;

/**
 * A sorted copy. Missing values (a run that has not finished has no accuracy, a config without
 * the key) go last in both directions, like the store's own ordering; ties keep newest first.
 */
export function sortRuns(
  runs: readonly RunSummary[],
  sort: RunSort,
  nameVariant: VariantNamer,
  configOf: ConfigLookup = NO_CONFIGS,
): RunSummary[] {
  const sign = sort.direction === 'asc' ? 1 : -1;
  const keyed = runs.map((run) => ({ run, key: sortValue(run, sort.column, nameVariant, configOf) }));
  keyed.sort((a, b) => {
    if ((a.key === null) !== (b.key === null)) return a.key === null ? 1 : -1;
    if (a.key !== null && b.key !== null && a.key !== b.key) {
      const order = compareKeys(a.key, b.key);
      if (order !== 0) return sign * order;
    }
    return b.run.createdAt - a.run.createdAt;
  });
  return keyed.map((entry) => entry.run);
}

export type StatusFilter = RunStatus | 'all';

export interface RunFilter {
  readonly status: StatusFilter;
  /** Words that must all appear (case-insensitive) in the run's name, id, preset, variant, tags or notes. */
  readonly search: string;
}

export function filterRuns(
  runs: readonly RunSummary[],
  filter: RunFilter,
  nameVariant: VariantNamer,
): RunSummary[] {
  const words = filter.search
    .toLocaleLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');
  return runs.filter((run) => {
    if (filter.status !== 'all' && run.status !== filter.status) return false;
    if (words.length === 0) return true;
    const haystack = [
      run.id,
      run.name,
      run.preset ?? '',
      run.notes,
      run.columns.dataset,
      run.columns.model,
      run.columns.variant ?? '',
      nameVariant(run.columns.variant),
      ...run.tags,
    ]
      .join('\n')
      .toLocaleLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

export function countByStatus(runs: readonly RunSummary[]): Record<RunStatus, number> {
  const counts: Record<RunStatus, number> = {
    queued: 0,
    running: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    interrupted: 0,
  };
  for (const run of runs) counts[run.status]++;
  return counts;
}

/** "a, b ,, c" -> ["a", "b", "c"]: tags as typed in one text box, without duplicates. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  return [...new Set(tags)];
}

/** Replaces the run with the same id, or puts a new one first; the array is a new one. */
export function upsertRun(runs: readonly RunSummary[], run: RunSummary): RunSummary[] {
  const at = runs.findIndex((existing) => existing.id === run.id);
  if (at < 0) return [run, ...runs];
  const next = runs.slice();
  next[at] = run;
  return next;
}

/**
 * Each run as a row's buttons name it ("Delete run GLIF baseline"): its name, with its id when
 * another listed run has the same name (runs keep their preset's default name), or its id when it
 * has none, so that a screen reader or a test can tell which run a button acts on.
 */
export function runLabels(runs: readonly RunSummary[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.name.trim(), (counts.get(run.name.trim()) ?? 0) + 1);
  return new Map(
    runs.map((run) => {
      const name = run.name.trim();
      if (name === '') return [run.id, run.id];
      return [run.id, (counts.get(name) ?? 0) > 1 ? `${name} (${run.id})` : name];
    }),
  );
}
