/**
 * The New run form's logic, built from `config.schema`: form values from a preset, the fields a
 * user changed, each field's allowed range as the form shows it, and validation issues per field.
 * Pure (no Svelte, no DOM) so that it is unit-tested under Node.
 *
 * Form values stay text, like the CLI's `--set key=value`: the host parses them with the same
 * code, so the form never disagrees with the CLI about what a value means. Checkboxes are booleans.
 */
import type { ConfigField, ConfigIssue, FieldGroup, Preset } from '../api/contract';
import { formatInteger } from '../components/format';

export type FieldValue = string | boolean;
export type FormValues = Readonly<Record<string, FieldValue>>;

/** The value at a dotted key of a config (`train.lr`), or undefined. */
export function configValueAt(config: unknown, key: string): unknown {
  let node: unknown = config;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** A config value as the form shows it: booleans for checkboxes, text for everything else. */
export function toFieldValue(field: ConfigField, value: unknown): FieldValue {
  if (field.kind.type === 'boolean') return value === true;
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

export function presetValues(fields: readonly ConfigField[], preset: Preset): Record<string, FieldValue> {
  return configValues(fields, preset.config);
}

/** A whole config as form values: a preset's, or a stored run's (Edit and rerun). */
export function configValues(fields: readonly ConfigField[], config: unknown): Record<string, FieldValue> {
  const values: Record<string, FieldValue> = {};
  for (const field of fields) values[field.key] = toFieldValue(field, configValueAt(config, field.key));
  return values;
}

/** Text the host would read as the same value: "64, 32" and "64,32" are one list. */
function normalise(field: ConfigField, value: FieldValue): string | boolean {
  if (typeof value === 'boolean') return value;
  const trimmed = value.trim();
  return field.kind.type === 'int-list' ? trimmed.replace(/\s+/g, '') : trimmed;
}

export function isChanged(
  field: ConfigField,
  value: FieldValue | undefined,
  baseline: FieldValue | undefined,
): boolean {
  if (value === undefined || baseline === undefined) return false;
  return normalise(field, value) !== normalise(field, baseline);
}

/** Only the fields that differ from the preset: what `runs.create` and `config.validate` get. */
export function changedValues(
  fields: readonly ConfigField[],
  values: FormValues,
  baseline: FormValues,
): Record<string, FieldValue> {
  const changed: Record<string, FieldValue> = {};
  for (const field of fields) {
    const value = values[field.key];
    if (value !== undefined && isChanged(field, value, baseline[field.key])) {
      changed[field.key] = typeof value === 'string' ? value.trim() : value;
    }
  }
  return changed;
}

/**
 * What an empty field means, as the form shows it ("all", "default"): the schema's words, so that
 * Compare's config diff says the same for a stored null.
 */
export function emptyText(field: ConfigField): string {
  return field.emptyLabel ?? 'empty';
}

/** A field's allowed values, short: "1–64", "> 0 and ≤ 10", "12 options". */
export function rangeText(field: ConfigField): string {
  const kind = field.kind;
  const orEmpty = field.nullable ? ', or empty' : '';
  switch (kind.type) {
    case 'int':
      return `${formatInteger(kind.min)}–${formatInteger(kind.max)}${orEmpty}`;
    case 'number':
      return `${kind.minExclusive ? '>' : '≥'} ${kind.min} and ≤ ${kind.max}${orEmpty}`;
    case 'enum':
      return kind.options.length <= 4
        ? kind.options.map((option) => option.value).join(' | ')
        : `${kind.options.length} options`;
    case 'boolean':
      return 'on or off';
    case 'path':
      return `a path on the host${orEmpty}`;
    case 'int-list':
      return `comma-separated, each ${formatInteger(kind.min)}–${formatInteger(kind.max)}`;
  }
}

/** An issue as the CLI prints it: `train.lr: -1 is not allowed; expected a number > 0 and <= 10`. */
export function issueText(issue: ConfigIssue): string {
  return `${issue.key}: ${issue.message}`;
}

export interface IssuesByField {
  /** Messages of issues that name a field of the form, by its key. */
  readonly byKey: ReadonlyMap<string, readonly string[]>;
  /** Messages of the others (an unknown preset, say), shown above the form. */
  readonly general: readonly string[];
}

export function groupIssues(issues: readonly ConfigIssue[], fields: readonly ConfigField[]): IssuesByField {
  const keys = new Set(fields.map((field) => field.key));
  const byKey = new Map<string, string[]>();
  const general: string[] = [];
  for (const issue of issues) {
    if (!keys.has(issue.key)) {
      general.push(issueText(issue));
      continue;
    }
    const list = byKey.get(issue.key) ?? [];
    list.push(issueText(issue));
    byKey.set(issue.key, list);
  }
  return { byKey, general };
}

/** The schema's fields of one group, in the schema's order. */
export function fieldsOf(fields: readonly ConfigField[], group: FieldGroup): ConfigField[] {
  return fields.filter((field) => field.group === group);
}

export interface PresetGroup {
  readonly label: string;
  readonly presets: readonly Preset[];
}

const DATASET_GROUPS: ReadonlyArray<{ readonly label: string; readonly datasets: readonly string[] }> = [
  { label: 'Quick runs', datasets: ['synthetic', 'fashion-mnist', 'mnist'] },
  { label: 'CIFAR-10 (paper)', datasets: ['cifar10'] },
  { label: 'CIFAR-100 (paper)', datasets: ['cifar100'] },
  { label: 'CIFAR10-DVS (paper)', datasets: ['cifar10-dvs'] },
  { label: 'ImageNet (paper; an image folder)', datasets: ['image-folder'] },
];

/** Presets grouped for the picker by the dataset they train on; unknown datasets go last. */
export function groupPresets(presets: readonly Preset[]): PresetGroup[] {
  const groups: PresetGroup[] = [];
  const placed = new Set<string>();
  for (const { label, datasets } of DATASET_GROUPS) {
    const members = presets.filter((preset) => datasets.includes(preset.config.data.dataset));
    for (const preset of members) placed.add(preset.id);
    if (members.length > 0) groups.push({ label, presets: members });
  }
  const others = presets.filter((preset) => !placed.has(preset.id));
  if (others.length > 0) groups.push({ label: 'Other', presets: others });
  return groups;
}

/** The preset a form starts from: the one asked for when it exists, else the first. */
export function initialPreset(presets: readonly Preset[], wanted: string | null): Preset | null {
  return presets.find((preset) => preset.id === wanted) ?? presets[0] ?? null;
}

/** The id of a field's input in the New run form, so that the form can focus the first bad one. */
export function fieldInputId(key: string): string {
  return `field-${key.replaceAll('.', '-')}`;
}
