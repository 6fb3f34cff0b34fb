import { CONFIG_FIELDS, configField } from './fields';
import { findPreset, PRESETS } from './presets';
import type { RunConfig } from './types';
import {
  ConfigError,
  getConfigValue,
  parseFieldText,
  setConfigValue,
  validateConfig,
  type ConfigIssue,
} from './validate';

/**
 * A run config from a preset, then a partial config object (e.g. a JSON file), then
 * `key=value` overrides, validated as a whole. Throws ConfigError naming every bad key.
 */
export function buildConfig(input: {
  preset?: string;
  overlay?: unknown;
  overrides?: readonly string[];
}): RunConfig {
  const presetId =
    input.preset ??
    (isRecord(input.overlay) && typeof input.overlay.preset === 'string' ? input.overlay.preset : undefined);
  if (!presetId)
    throw new ConfigError([
      { key: 'preset', message: `a preset is required; one of ${PRESETS.map((p) => p.id).join(', ')}` },
    ]);
  const preset = findPreset(presetId);
  if (!preset)
    throw new ConfigError([
      {
        key: 'preset',
        message: `unknown preset '${presetId}'; one of ${PRESETS.map((p) => p.id).join(', ')}`,
      },
    ]);
  let config: RunConfig = preset.config;
  const issues: ConfigIssue[] = [];
  if (input.overlay !== undefined) {
    if (!isRecord(input.overlay))
      throw new ConfigError([{ key: '(config file)', message: 'must be a JSON object' }]);
    for (const [key, value] of flattenOverlay(input.overlay)) {
      if (key === 'preset') continue;
      // {"train": 5} names a known section with a value that is not one: say so, rather than
      // call `train` an unknown key.
      if (!configField(key) && CONFIG_FIELDS.some((f) => f.key.startsWith(`${key}.`)))
        issues.push({
          key,
          message: `expected an object of ${key}.* settings, got ${JSON.stringify(value)}`,
        });
      else if (!configField(key)) issues.push({ key, message: unknownKeyMessage() });
      else config = setConfigValue(config, key, value);
    }
  }
  for (const assignment of input.overrides ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) {
      issues.push({ key: assignment, message: 'expected key=value, e.g. train.epochs=3' });
      continue;
    }
    const key = assignment.slice(0, eq).trim();
    const field = configField(key);
    if (!field) {
      issues.push({ key, message: unknownKeyMessage() });
      continue;
    }
    config = setConfigValue(config, key, parseFieldText(field, assignment.slice(eq + 1)));
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const problems = validateConfig(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function unknownKeyMessage(): string {
  return `unknown config key; known keys: ${CONFIG_FIELDS.map((f) => f.key).join(', ')}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** {train: {lr: 0.1}} -> [['train.lr', 0.1]]; arrays are leaves. */
function flattenOverlay(obj: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isRecord(v)) out.push(...flattenOverlay(v, key));
    else out.push([key, v]);
  }
  return out;
}

export { getConfigValue };
