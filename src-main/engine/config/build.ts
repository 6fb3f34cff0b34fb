import { CONFIG_FIELDS, configField } from './fields';
import { findPreset, PRESETS, type Preset } from './presets';
import type { RunConfig, ValidRunConfig } from './types';
import {
  assertValidConfig,
  ConfigError,
  getConfigValue,
  parseFieldText,
  setConfigValue,
  type ConfigIssue,
} from './validate';

/**
 * A value of one field as a caller hands it over: typed (a number, a boolean, a list, null), or
 * text as typed into a form input, which is read with the field's parser (the one `--set` uses).
 */
export type ConfigValue = string | number | boolean | null | readonly number[];

/**
 * A run config from a preset, then a partial config object (e.g. a JSON file), then
 * `key=value` overrides (the CLI's `--set`), validated as a whole. Throws ConfigError naming
 * every bad key.
 */
export function buildConfig(input: {
  preset?: string;
  overlay?: unknown;
  overrides?: readonly string[];
}): ValidRunConfig {
  const presetId =
    input.preset ??
    (isRecord(input.overlay) && typeof input.overlay.preset === 'string' ? input.overlay.preset : undefined);
  const preset = requirePreset(presetId);
  const issues: ConfigIssue[] = [];
  const entries: Array<[string, unknown]> = [];
  if (input.overlay !== undefined) {
    if (!isRecord(input.overlay))
      throw new ConfigError([{ key: '(config file)', message: 'must be a JSON object' }]);
    entries.push(...flattenOverlay(input.overlay).filter(([key]) => key !== 'preset'));
  }
  for (const assignment of input.overrides ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) {
      issues.push({ key: assignment, message: 'expected key=value, e.g. train.epochs=3' });
      continue;
    }
    // The CLI's text, read once with the field's parser; an unknown key is reported below.
    const key = assignment.slice(0, eq).trim();
    const field = configField(key);
    const text = assignment.slice(eq + 1);
    entries.push([key, field ? parseFieldText(field, text) : text]);
  }
  return validated(applyEntries(preset.config, entries, issues), issues);
}

/**
 * A run config from a preset and a form's values by dotted key (`runs.create`, `config.validate`,
 * an ablation's cells), validated once. Typed values are taken as they are; text is read with the
 * field's parser, so "0.1" in the form and `--set train.lr=0.1` mean the same number.
 */
export function buildConfigFromValues(
  presetId: string,
  values: Readonly<Record<string, ConfigValue>>,
): ValidRunConfig {
  const preset = requirePreset(presetId);
  const entries = Object.entries(values).map(([key, value]): [string, unknown] => {
    const field = configField(key);
    return field && typeof value === 'string' ? [key, parseFieldText(field, value)] : [key, value];
  });
  const issues: ConfigIssue[] = [];
  return validated(applyEntries(preset.config, entries, issues), issues);
}

function requirePreset(presetId: string | undefined): Preset {
  const known = PRESETS.map((p) => p.id).join(', ');
  if (!presetId) throw new ConfigError([{ key: 'preset', message: `a preset is required; one of ${known}` }]);
  const preset = findPreset(presetId);
  if (!preset)
    throw new ConfigError([{ key: 'preset', message: `unknown preset '${presetId}'; one of ${known}` }]);
  return preset;
}

/**
 * `base` with each (dotted key, value) set, unvalidated; a key that is not a field, or a section
 * given as a plain value, is added to `issues` instead.
 */
export function applyEntries(
  base: RunConfig,
  entries: Iterable<readonly [string, unknown]>,
  issues: ConfigIssue[],
): RunConfig {
  let config = base;
  for (const [key, value] of entries) {
    // {"train": 5} names a known section with a value that is not one: say so, rather than
    // call `train` an unknown key.
    if (!configField(key) && CONFIG_FIELDS.some((f) => f.key.startsWith(`${key}.`)))
      issues.push({ key, message: `expected an object of ${key}.* settings, got ${JSON.stringify(value)}` });
    else if (!configField(key)) issues.push({ key, message: unknownKeyMessage() });
    else config = setConfigValue(config, key, value);
  }
  return config;
}

/** The one validation of an assembled config: the issues found while assembling it, else every rule. */
function validated(config: RunConfig, issues: readonly ConfigIssue[]): ValidRunConfig {
  if (issues.length > 0) throw new ConfigError(issues);
  return assertValidConfig(config);
}

function unknownKeyMessage(): string {
  return `unknown config key; known keys: ${CONFIG_FIELDS.map((f) => f.key).join(', ')}`;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** {train: {lr: 0.1}} -> [['train.lr', 0.1]]; arrays are leaves. */
export function flattenOverlay(obj: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isRecord(v)) out.push(...flattenOverlay(v, key));
    else out.push([key, v]);
  }
  return out;
}

export { getConfigValue };
