/**
 * The cells of Compare's config-diff table as text: a stored null in the words the New run form
 * uses for an empty field, a variant id with its name, numbers without float noise. Pure (no
 * Svelte) for unit tests.
 */
import type { ConfigField, JsonValue } from '../api/contract';
import { formatHyper } from '../components/format';
import { emptyText } from './config-form';
import type { VariantNamer } from './run-table';

/** A key one run's config lacks (a config from before the key existed). */
export const NOT_SET = '(not set)';

export function configDiffText(
  fields: readonly ConfigField[],
  nameVariant: VariantNamer,
  path: string,
  value: JsonValue | undefined,
): string {
  if (value === undefined) return NOT_SET;
  if (value === null) {
    const field = fields.find((candidate) => candidate.key === path);
    // A key the form does not show has no wording of its own: "empty" is what the form says then.
    return field ? emptyText(field) : 'empty';
  }
  if (typeof value === 'number') return formatHyper(value);
  if (typeof value === 'string') {
    if (!path.endsWith('variant')) return value;
    const name = nameVariant(value);
    return name && name !== value ? `${value} — ${name}` : value;
  }
  return JSON.stringify(value);
}
