/**
 * The Runs list's optional columns: any config path (`config:train.lr`) or a run's result
 * (`result:testLoss`). Pure, for unit tests: what a column is called, the value a run has in it,
 * how that value sorts and how it is written. The columns chosen are kept by column-choice.ts.
 */
import type { JsonValue, RunFlatConfig, RunSummary } from '../api/contract';
import { formatHyper, MISSING } from '../components/format';
import { RESULT_BY_ID, resultValue, type ResultColumn, type ResultId } from './result-columns';

export type ColumnKey = `config:${string}` | `result:${ResultId}`;

/**
 * Config paths the store copies into indexed columns (src-main/runs/columns.ts): the list has
 * their values without asking for the configs, so the default columns cost no extra request.
 */
const INDEXED_PATHS: Readonly<Record<string, (run: RunSummary) => JsonValue>> = {
  'data.dataset': (run) => run.columns.dataset,
  'model.arch': (run) => run.columns.model,
  'model.timeSteps': (run) => run.columns.timeSteps,
  'neuron.variant': (run) => run.columns.variant,
  'neuron.layerwise': (run) => run.columns.layerwise,
  'train.epochs': (run) => run.columns.epochs,
  'train.batchSize': (run) => run.columns.batchSize,
  'train.lr': (run) => run.columns.lr,
  'train.seed': (run) => run.columns.seed,
};

/** Short headers for the columns shown by default (the paper's notation where it has one). */
const SHORT_LABELS: Readonly<Record<string, string>> = {
  'neuron.variant': 'Neuron variant',
  'model.timeSteps': 'T',
  'train.lr': 'lr',
  'train.batchSize': 'Batch',
  'train.epochs': 'Epochs',
};

export const VARIANT_KEY: ColumnKey = 'config:neuron.variant';
export const EPOCHS_KEY: ColumnKey = 'config:train.epochs';

export const DEFAULT_COLUMNS: readonly ColumnKey[] = [
  VARIANT_KEY,
  'config:model.timeSteps',
  'config:train.lr',
  'config:train.batchSize',
  EPOCHS_KEY,
  'result:testAccuracy',
  'result:energyMicrojoules',
  'result:durationMs',
];

/** A config path as dotted keys: letters, digits, `_` and `-` (list items are numbers). */
const CONFIG_PATH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export function configKey(path: string): ColumnKey {
  return `config:${path}`;
}

export function resultKey(id: ResultId): ColumnKey {
  return `result:${id}`;
}

export function isColumnKey(text: string): text is ColumnKey {
  if (text.startsWith('config:')) {
    const path = text.slice('config:'.length);
    return path.length <= 200 && CONFIG_PATH.test(path);
  }
  return text.startsWith('result:') && RESULT_BY_ID.has(text.slice('result:'.length));
}

export type ParsedColumnKey =
  | { readonly kind: 'config'; readonly path: string }
  | { readonly kind: 'result'; readonly column: ResultColumn };

export function parseColumnKey(key: ColumnKey): ParsedColumnKey {
  if (key.startsWith('config:')) return { kind: 'config', path: key.slice('config:'.length) };
  return { kind: 'result', column: RESULT_BY_ID.get(key.slice('result:'.length))! };
}

export interface ColumnHeading {
  readonly label: string;
  /** A second, smaller line: the unit, or the path's section (`data` of `data.trainLimit`). */
  readonly sub?: string;
  /** The full name, for a tooltip. */
  readonly title: string;
  readonly numeric: boolean;
}

export function columnHeading(key: ColumnKey, numeric: boolean): ColumnHeading {
  const parsed = parseColumnKey(key);
  if (parsed.kind === 'result') {
    const { label, unit, description, format } = parsed.column;
    return { label, sub: unit, title: description, numeric: format !== 'text' };
  }
  const short = SHORT_LABELS[parsed.path];
  if (short !== undefined) return { label: short, title: parsed.path, numeric };
  const at = parsed.path.lastIndexOf('.');
  if (at < 0) return { label: parsed.path, title: parsed.path, numeric };
  return { label: parsed.path.slice(at + 1), sub: parsed.path.slice(0, at), title: parsed.path, numeric };
}

/** The flattened config of a run, once it has been read; undefined before. */
export type ConfigLookup = (runId: string) => ReadonlyMap<string, JsonValue> | undefined;

/** The configs known so far with the ones just read: a new map, the old one left as it was. */
export function withFlatConfigs(
  known: ReadonlyMap<string, ReadonlyMap<string, JsonValue>>,
  read: readonly RunFlatConfig[],
): ReadonlyMap<string, ReadonlyMap<string, JsonValue>> {
  const next = new Map(known);
  // A Map, not the answer's object: a path such as "constructor" must not find Object's own.
  for (const { runId, values } of read) next.set(runId, new Map(Object.entries(values)));
  return next;
}

/** A run's value in a column; undefined when its config has not been read or lacks the path. */
export function columnValue(run: RunSummary, key: ColumnKey, configOf: ConfigLookup): JsonValue | undefined {
  const parsed = parseColumnKey(key);
  if (parsed.kind === 'result') return resultValue(run, parsed.column.id);
  const indexed = INDEXED_PATHS[parsed.path];
  if (indexed) return indexed(run);
  return configOf(run.id)?.get(parsed.path);
}

/**
 * How a value sorts: numbers by value, booleans as 0 and 1, text and lists by their text without
 * case; null for a value that is missing (or NaN), which the list puts last either way.
 */
export function sortKey(value: JsonValue | undefined): number | string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isNaN(value) ? null : value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') return value.toLocaleLowerCase();
  return JSON.stringify(value).toLocaleLowerCase();
}

/** Orders two present sort keys: numbers before text (a column rarely mixes them), text A to Z. */
export function compareKeys(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a.localeCompare(b, undefined, { numeric: true });
}

export function firstDirection(key: ColumnKey): 'asc' | 'desc' {
  const parsed = parseColumnKey(key);
  return parsed.kind === 'result' ? parsed.column.firstDirection : 'asc';
}

/** A config value in a cell: numbers as the CLI writes them, lists comma-separated. */
export function formatConfigValue(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return MISSING;
  if (typeof value === 'number') return formatHyper(value);
  if (typeof value === 'string') return value === '' ? MISSING : value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value))
    return value.length === 0 ? '[]' : value.map((item) => formatConfigValue(item)).join(', ');
  return JSON.stringify(value);
}

export interface ConfigPathInfo {
  readonly path: string;
  /** Distinct values among the runs whose config is known: more than one marks a varied key. */
  readonly distinct: number;
}

/**
 * Every config path the runs have (the indexed ones always, the others once the configs are
 * read), sorted, each with how many values it takes among them.
 */
export function configPaths(runs: readonly RunSummary[], configOf: ConfigLookup): ConfigPathInfo[] {
  const values = new Map<string, Set<string>>();
  const note = (path: string, value: JsonValue) => {
    let seen = values.get(path);
    if (!seen) values.set(path, (seen = new Set()));
    seen.add(JSON.stringify(value));
  };
  for (const run of runs) {
    const config = configOf(run.id);
    if (config) for (const [path, value] of config) note(path, value);
    for (const [path, value] of Object.entries(INDEXED_PATHS)) if (!config?.has(path)) note(path, value(run));
  }
  return [...values]
    .filter(([path]) => CONFIG_PATH.test(path))
    .map(([path, seen]) => ({ path, distinct: seen.size }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Whether a chosen column needs the runs' configs read (a path the summaries do not carry). */
export function needsConfigs(keys: readonly ColumnKey[]): boolean {
  return keys.some((key) => {
    const parsed = parseColumnKey(key);
    return parsed.kind === 'config' && INDEXED_PATHS[parsed.path] === undefined;
  });
}

/** Words that must all appear, case-insensitive, in what a picker entry is called. */
export function matchesSearch(text: string, search: string): boolean {
  const haystack = text.toLocaleLowerCase();
  return search
    .toLocaleLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '')
    .every((word) => haystack.includes(word));
}

/** Numbers align right: a config column whose present values are all numbers is numeric. */
export function isNumericColumn(
  runs: readonly RunSummary[],
  key: ColumnKey,
  configOf: ConfigLookup,
): boolean {
  const parsed = parseColumnKey(key);
  if (parsed.kind === 'result') return parsed.column.format !== 'text';
  let any = false;
  for (const run of runs) {
    const value = columnValue(run, key, configOf);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number') return false;
    any = true;
  }
  return any;
}
