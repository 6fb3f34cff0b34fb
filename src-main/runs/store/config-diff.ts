/**
 * Which config values differ between runs, by dotted path. Objects are walked into; arrays are
 * walked into only when they hold objects (a list of layers), so that a list of numbers such as
 * LR milestones reads as one value.
 */
import type { ConfigDiffEntry, JsonValue, SeedGroup } from './types';

function isPlainObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLeaf(value: JsonValue): boolean {
  if (Array.isArray(value)) return !value.some((item) => typeof item === 'object' && item !== null);
  return !isPlainObject(value);
}

/** Flattens a config to `path -> leaf value`. An empty object or array is kept as a leaf. */
export function flattenConfig(
  value: JsonValue,
  prefix = '',
  into = new Map<string, JsonValue>(),
): Map<string, JsonValue> {
  if (isLeaf(value)) {
    into.set(prefix, value);
    return into;
  }
  const entries: Array<[string, JsonValue]> = Array.isArray(value)
    ? value.map((item, i) => [String(i), item])
    : Object.entries(value as { [key: string]: JsonValue });
  if (entries.length === 0) {
    into.set(prefix, value);
    return into;
  }
  for (const [key, child] of entries) flattenConfig(child, prefix === '' ? key : `${prefix}.${key}`, into);
  return into;
}

/** Deep equality of JSON values, ignoring the order of object keys. */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const keysA = Object.keys(a);
  if (keysA.length !== Object.keys(b).length) return false;
  return keysA.every((key) => Object.prototype.hasOwnProperty.call(b, key) && jsonEqual(a[key], b[key]));
}

/**
 * Paths whose value differs between at least two of the configs, or that some configs lack.
 * Sorted by path.
 */
export function diffConfigs(configs: ReadonlyArray<{ runId: string; config: JsonValue }>): ConfigDiffEntry[] {
  const flat = configs.map(({ runId, config }) => ({ runId, values: flattenConfig(config) }));
  const paths = new Set<string>();
  for (const { values } of flat) for (const key of values.keys()) paths.add(key);

  const diff: ConfigDiffEntry[] = [];
  for (const path of [...paths].sort()) {
    const values: Record<string, JsonValue> = {};
    let present = 0;
    let first: JsonValue | undefined;
    let differs = false;
    for (const run of flat) {
      if (!run.values.has(path)) continue;
      const value = run.values.get(path) as JsonValue;
      values[run.runId] = value;
      if (present === 0) first = value;
      else if (!jsonEqual(first as JsonValue, value)) differs = true;
      present++;
    }
    if (differs || present < flat.length) diff.push({ path, values });
  }
  return diff;
}

/** A config key that only picks random numbers: runs that differ in nothing else are repeats. */
function isSeedPath(path: string): boolean {
  return path === 'seed' || path.endsWith('.seed');
}

/**
 * Groups of two or more runs whose configs are equal once their seeds are left out: repeats of
 * one experiment, which the Compare view summarises as mean +- std. In the order of `configs`.
 */
export function seedGroups(configs: ReadonlyArray<{ runId: string; config: JsonValue }>): SeedGroup[] {
  const groups = new Map<string, SeedGroup>();
  for (const { runId, config } of configs) {
    const flat = flattenConfig(config);
    const seeds: JsonValue[] = [];
    const rest: Array<[string, JsonValue]> = [];
    for (const [path, value] of flat) {
      if (isSeedPath(path)) seeds.push(value);
      else rest.push([path, value]);
    }
    rest.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = JSON.stringify(rest);
    const group = groups.get(key);
    if (group) {
      group.runIds.push(runId);
      group.seeds.push(seeds.length === 1 ? seeds[0]! : seeds);
    } else {
      groups.set(key, { runIds: [runId], seeds: [seeds.length === 1 ? seeds[0]! : seeds] });
    }
  }
  return [...groups.values()].filter((g) => g.runIds.length >= 2);
}
