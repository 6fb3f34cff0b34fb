import type { ConfigField, JsonValue } from '../api/contract';
import { formatHyper } from '../components/format';
import { emptyText } from './config-form';

/** One line of a run's config as the run page lists it: the dotted key and its value as text. */
export interface ConfigEntry {
  readonly key: string;
  readonly value: string;
}

/**
 * A stored config (nested sections such as `train`, `data`, `neuron`) as sorted `section.key`
 * lines, the same keys the New run form and `glif train --set` use. Numbers print as the form
 * prints hyperparameters; an unset value (null) prints as the form words it for that field (from
 * `fields`), else "unset"; lists join with commas, an empty one reads "none".
 */
export function configEntries(config: JsonValue, fields: readonly ConfigField[] = []): ConfigEntry[] {
  const out: ConfigEntry[] = [];
  const walk = (value: JsonValue, key: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}.${k}` : k);
      return;
    }
    const field = value === null ? fields.find((f) => f.key === key) : undefined;
    // An unset value in the New run form's own words for that field ("all", "default"), if it has any.
    out.push({ key: key || '(config)', value: field ? emptyText(field) : valueText(value) });
  };
  walk(config, '');
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

function valueText(value: JsonValue): string {
  if (value === null) return 'unset';
  if (typeof value === 'number') return formatHyper(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((v) => valueText(v)).join(', ');
  return JSON.stringify(value);
}
