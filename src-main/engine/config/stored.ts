import { flattenOverlay, isRecord } from './build';
import { CONFIG_FIELDS, configField } from './fields';
import { findPreset } from './presets';
import type { RunConfig, ValidRunConfig } from './types';
import { ConfigError, assertValidConfig, getConfigValue, setConfigValue, type ConfigIssue } from './validate';

/**
 * A run's config as the store gives it back (parsed config_json), for resume and rerun. It was
 * stored by some earlier version, so it is read like input, once, here:
 *
 * - a field added since it was stored is filled from the run's preset (what the same preset gives
 *   a new run), so adding a field does not break older runs;
 * - then the whole config is validated, and a ConfigError names each bad or missing field.
 *
 * A field the run's preset cannot fill (the preset is gone) must be in the stored config.
 */
export function readStoredConfig(json: unknown): ValidRunConfig {
  if (!isRecord(json)) {
    throw new ConfigError([{ key: '(stored config)', message: `must be a JSON object, got ${show(json)}` }]);
  }
  if (typeof json.preset !== 'string' || json.preset === '') {
    throw new ConfigError([{ key: 'preset', message: `must be a preset id, got ${show(json.preset)}` }]);
  }
  const preset = findPreset(json.preset);
  const issues: ConfigIssue[] = [];
  const stored = new Map(flattenOverlay(json).filter(([key]) => key !== 'preset'));
  for (const key of stored.keys()) {
    if (!configField(key)) issues.push({ key, message: 'not a config key of this version' });
  }
  // Start from the preset's values (the defaults of fields stored before they existed), or from
  // empty sections when the preset is unknown (then every field must be stored, checked below),
  // and lay the stored values over them. Nothing is trusted before assertValidConfig.
  let config: RunConfig = { ...(preset?.config ?? EMPTY), preset: json.preset };
  for (const field of CONFIG_FIELDS) {
    if (stored.has(field.key)) config = setConfigValue(config, field.key, stored.get(field.key));
    else if (field.key in BEFORE_THE_FIELD)
      config = setConfigValue(config, field.key, BEFORE_THE_FIELD[field.key]);
    else if (preset === undefined || getConfigValue(preset.config, field.key) === undefined)
      issues.push({
        key: field.key,
        message: `missing, and preset '${json.preset}' is unknown, so there is no default to fill it with`,
      });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return assertValidConfig(config);
}

/**
 * Fields whose value for a run stored before they existed is known whatever its preset: every
 * run before there were engines trained on the workbench's own, in one process; every ResNet
 * before the head was a choice had the class count's.
 */
const BEFORE_THE_FIELD: Readonly<Record<string, unknown>> = {
  'engine.name': 'tfjs',
  'engine.processes': 1,
  // Every ResNet head was chosen by the class count alone before the field existed.
  'model.head': 'by-classes',
  // Every run before the field used the authors' choice (plain BN only in 7B-wideNet).
  'model.norm': 'official',
  // Only image folders read it, and they came with it.
  'data.imageSize': 224,
};

const EMPTY = { preset: '', data: {}, model: {}, neuron: {}, train: {}, engine: {} } as unknown as RunConfig;

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));
