import { configField, CONFIG_FIELDS, describeRange, type ConfigField } from './fields';
import type { ArchId, DatasetId, RunConfig, ValidRunConfig } from './types';

export interface ConfigIssue {
  readonly key: string;
  readonly message: string;
}

/** `train.lr: -1 is not allowed; expected a number > 0 and <= 10` */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.key}: ${issue.message}`;
}

export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('; '));
    this.name = 'ConfigError';
  }
}

const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** Checks one value against its field; returns the problem or null. */
export function checkFieldValue(field: ConfigField, value: unknown): string | null {
  const bad = () => `${show(value)} is not allowed; expected ${describeRange(field)}`;
  if (value === null) return field.nullable ? null : `a value is required; expected ${describeRange(field)}`;
  const k = field.kind;
  switch (k.type) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && value >= k.min && value <= k.max
        ? null
        : bad();
    case 'number':
      return typeof value === 'number' &&
        Number.isFinite(value) &&
        (k.minExclusive ? value > k.min : value >= k.min) &&
        value <= k.max
        ? null
        : bad();
    case 'enum':
      return typeof value === 'string' && k.options.some((o) => o.value === value) ? null : bad();
    case 'boolean':
      return typeof value === 'boolean' ? null : bad();
    case 'path':
      return typeof value === 'string' && value.trim() !== '' ? null : bad();
    case 'int-list':
      return Array.isArray(value) &&
        value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= k.min && v <= k.max)
        ? null
        : bad();
  }
}

/** Parses the text of `--set key=value` (or a form input) into the field's type. */
export function parseFieldText(field: ConfigField, text: string): unknown {
  const t = text.trim();
  if (field.nullable && (t === '' || t === 'null' || t === 'none')) return null;
  switch (field.kind.type) {
    case 'number': {
      const named = field.kind.named?.find((n) => n.name === t.toLowerCase());
      if (named) return named.value;
      return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : t;
    }
    case 'int':
      return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : t;
    case 'boolean':
      if (['true', 'yes', 'on', '1'].includes(t.toLowerCase())) return true;
      if (['false', 'no', 'off', '0'].includes(t.toLowerCase())) return false;
      return t;
    case 'int-list':
      if (t === '') return [];
      return t.split(',').map((s) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : s.trim()));
    case 'enum':
    case 'path':
      return t;
  }
}

export function getConfigValue(config: RunConfig, key: string): unknown {
  let node: unknown = config;
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return node;
}

/** A copy of `config` with `key` set (no validation: see validateConfig). */
export function setConfigValue(config: RunConfig, key: string, value: unknown): RunConfig {
  const field = configField(key);
  if (!field)
    throw new ConfigError([
      { key, message: `unknown config key; known keys: ${CONFIG_FIELDS.map((f) => f.key).join(', ')}` },
    ]);
  const [section, name] = key.split('.') as [keyof RunConfig, string];
  const current = config[section] as unknown as Record<string, unknown>;
  return { ...config, [section]: { ...current, [name]: value } };
}

/** Which datasets each architecture's input layer and head can take. */
const ARCH_DATASETS: Readonly<Record<ArchId, readonly DatasetId[]>> = {
  'fmnist-cnn': ['fashion-mnist', 'mnist', 'synthetic'],
  mlp: ['fashion-mnist', 'mnist', 'cifar10', 'cifar100', 'cifar10-dvs', 'image-folder', 'synthetic'],
  cifarnet: ['cifar10', 'cifar100'],
  resnet19: ['cifar10', 'cifar100', 'fashion-mnist', 'mnist', 'image-folder', 'synthetic'],
  resnet18: ['cifar10', 'cifar100', 'fashion-mnist', 'mnist', 'image-folder', 'synthetic'],
  resnet34: ['cifar10', 'cifar100', 'image-folder', 'synthetic'],
  'ms-resnet18': ['cifar10', 'cifar100', 'image-folder', 'synthetic'],
  wide7b: ['cifar10-dvs'],
};

const NEEDS_PATH: readonly DatasetId[] = ['cifar10', 'cifar100', 'cifar10-dvs', 'image-folder'];

/** Every problem of a config: each field against its range, then the rules between fields. */
export function validateConfig(config: RunConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const field of CONFIG_FIELDS) {
    const problem = checkFieldValue(field, getConfigValue(config, field.key));
    if (problem) issues.push({ key: field.key, message: problem });
  }
  if (issues.length > 0) return issues;
  const { data, model, train } = config;
  if (NEEDS_PATH.includes(data.dataset) && data.path === null) {
    issues.push({
      key: 'data.path',
      message: `required for dataset ${data.dataset}: the folder or .tar.gz holding it`,
    });
  }
  const allowed = ARCH_DATASETS[model.arch];
  if (!allowed.includes(data.dataset)) {
    issues.push({
      key: 'model.arch',
      message: `${model.arch} cannot take dataset ${data.dataset}; it takes ${allowed.join(', ')}`,
    });
  }
  if (model.arch === 'mlp' && model.mlpHidden.length === 0) {
    issues.push({
      key: 'model.mlpHidden',
      message: 'the mlp architecture needs at least one hidden layer size, e.g. 256',
    });
  }
  if (train.schedule === 'cosine-periodic' && train.scheduleTMax === null) {
    issues.push({ key: 'train.scheduleTMax', message: 'required by the cosine-periodic schedule' });
  }
  if (config.engine.name === 'tfjs' && config.engine.processes !== 1) {
    issues.push({
      key: 'engine.processes',
      message:
        'the tfjs engine trains in one process (its threads: --threads); more processes need engine.name=torch',
    });
  }
  return issues;
}

/** `config`, marked valid, or a ConfigError naming every problem. */
export function assertValidConfig(config: RunConfig): ValidRunConfig {
  const issues = validateConfig(config);
  if (issues.length > 0) throw new ConfigError(issues);
  return config as ValidRunConfig;
}
