/**
 * Checks on writer inputs. The IPC layer validates payloads with its own schemas; these checks
 * guard the store's invariants whoever calls it (CLI, tests, the run manager).
 */
import { RunStoreError } from './errors';
import type { CheckpointInput, RunConfigColumns } from './types';

function fail(message: string): never {
  throw new RunStoreError('invalid_input', message);
}

export const MAX_TAG_LENGTH = 64;
export const MAX_NAME_LENGTH = 200;

/** Trimmed, without empties and duplicates, sorted: a tag set, not a list. */
export function normalizeTags(tags: readonly string[]): string[] {
  const set = new Set<string>();
  for (const raw of tags) {
    if (typeof raw !== 'string') fail(`tags must be strings, got ${JSON.stringify(raw)}`);
    const tag = raw.trim();
    if (tag === '') continue;
    if (tag.length > MAX_TAG_LENGTH)
      fail(`tag longer than ${MAX_TAG_LENGTH} characters: ${tag.slice(0, 20)}...`);
    set.add(tag);
  }
  return [...set].sort();
}

export function normalizeName(name: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (trimmed === '') fail('a run name cannot be empty');
  if (trimmed.length > MAX_NAME_LENGTH) fail(`a run name is limited to ${MAX_NAME_LENGTH} characters`);
  return trimmed;
}

/** JSON text of the config; refuses what JSON cannot represent rather than storing a lossy copy. */
export function serializeConfig(config: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(config);
  } catch (err) {
    fail(`the run config is not JSON-serialisable: ${(err as Error).message}`);
  }
  if (json === undefined) fail('the run config is not JSON-serialisable');
  return json;
}

function nullableNumber(value: unknown, field: string, integer: boolean): void {
  if (value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    fail(
      `columns.${field} must be ${integer ? 'an integer' : 'a finite number'} or null, got ${JSON.stringify(value)}`,
    );
  }
}

export function checkColumns(columns: RunConfigColumns): void {
  if (typeof columns !== 'object' || columns === null) fail('columns are required');
  if (typeof columns.dataset !== 'string' || columns.dataset === '') fail('columns.dataset is required');
  if (typeof columns.model !== 'string' || columns.model === '') fail('columns.model is required');
  if (columns.variant !== null && typeof columns.variant !== 'string')
    fail('columns.variant must be a string or null');
  if (columns.layerwise !== null && typeof columns.layerwise !== 'boolean')
    fail('columns.layerwise must be a boolean or null');
  nullableNumber(columns.timeSteps, 'timeSteps', true);
  nullableNumber(columns.epochs, 'epochs', true);
  nullableNumber(columns.batchSize, 'batchSize', true);
  nullableNumber(columns.lr, 'lr', false);
  nullableNumber(columns.seed, 'seed', true);
}

export function checkCheckpoint(input: CheckpointInput): void {
  if (!Number.isInteger(input.epoch) || !Number.isInteger(input.step))
    fail('checkpoint epoch and step must be integers');
  if (typeof input.path !== 'string' || input.path === '') fail('checkpoint path is required');
  if (!/^[0-9a-f]{64}$/i.test(input.sha256))
    fail(`checkpoint sha256 must be 64 hex digits, got ${JSON.stringify(input.sha256)}`);
  if (!Number.isInteger(input.bytes) || input.bytes < 0)
    fail('checkpoint bytes must be a non-negative integer');
}
