/**
 * SQL for `listRuns`/`countRuns`: WHERE and ORDER BY built from a filter, with every value bound
 * as a parameter and every column name taken from a fixed table (never from the caller).
 */
import { RunStoreError } from './errors';
import { RUN_SORT_KEYS, RUN_STATUSES, type RunFilter, type RunListQuery, type RunSortKey } from './types';

const SORT_COLUMNS: Record<RunSortKey, string> = {
  createdAt: 'r.created_at',
  startedAt: 'r.started_at',
  finishedAt: 'r.finished_at',
  name: 'r.name COLLATE NOCASE',
  status: 'r.status',
  durationMs: 'r.duration_ms',
  dataset: 'r.dataset',
  model: 'r.model',
  lr: 'r.lr',
  finalTestAccuracy: 'r.final_test_accuracy',
  finalTestLoss: 'r.final_test_loss',
  energySops: 'r.energy_sops',
  energyMacs: 'r.energy_macs',
  energyMicrojoules: 'r.energy_uj',
};

export interface SqlFragment {
  sql: string;
  params: Array<string | number>;
}

/** LIKE with the caller's text taken literally (a search for "lr_0.1" must not treat "_" as a wildcard). */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function whereClause(filter: RunFilter): SqlFragment {
  const conditions: string[] = [];
  const params: Array<string | number> = [];
  const equals = (column: string, value: string | number | undefined): void => {
    if (value === undefined) return;
    conditions.push(`${column} = ?`);
    params.push(value);
  };

  if (filter.status !== undefined) {
    const statuses: readonly string[] = typeof filter.status === 'string' ? [filter.status] : filter.status;
    for (const status of statuses) {
      if (!(RUN_STATUSES as readonly string[]).includes(status)) {
        throw new RunStoreError('invalid_input', `unknown run status ${JSON.stringify(status)}`);
      }
    }
    if (statuses.length === 0) conditions.push('0');
    else {
      conditions.push(`r.status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
  }
  equals('r.dataset', filter.dataset);
  equals('r.model', filter.model);
  equals('r.variant', filter.variant);
  equals('r.preset', filter.preset);
  equals('r.backend', filter.backend);
  equals('r.parent_run_id', filter.parentRunId);
  if (filter.layerwise !== undefined) equals('r.layerwise', filter.layerwise ? 1 : 0);
  if (filter.createdAfter !== undefined) {
    conditions.push('r.created_at >= ?');
    params.push(filter.createdAfter);
  }
  if (filter.createdBefore !== undefined) {
    conditions.push('r.created_at < ?');
    params.push(filter.createdBefore);
  }
  for (const tag of filter.tags ?? []) {
    conditions.push('EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag = ?)');
    params.push(tag);
  }
  const search = filter.search?.trim();
  if (search) {
    const pattern = likePattern(search);
    const columns = ['r.id', 'r.name', 'r.notes', 'r.dataset', 'r.model', 'r.variant', 'r.preset'];
    conditions.push(
      `(${columns.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')}` +
        ` OR EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag LIKE ? ESCAPE '\\'))`,
    );
    for (let i = 0; i <= columns.length; i++) params.push(pattern);
  }
  return { sql: conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`, params };
}

export function orderClause(sort: RunListQuery['sort']): string {
  const by = sort?.by ?? 'createdAt';
  if (!(RUN_SORT_KEYS as readonly string[]).includes(by)) {
    throw new RunStoreError('invalid_input', `cannot sort runs by ${JSON.stringify(by)}`);
  }
  const direction = (sort?.direction ?? (sort === undefined ? 'desc' : 'asc')) === 'desc' ? 'DESC' : 'ASC';
  // Runs without a value (no final accuracy yet) go last in either direction; ties keep creation
  // order. Not by id: runs created in the same millisecond (an ablation grid's) differ only in
  // their ids' random suffix. The rowid grows with each insert (nothing here VACUUMs).
  return `ORDER BY ${SORT_COLUMNS[by]} IS NULL, ${SORT_COLUMNS[by]} ${direction}, r.rowid ${direction}`;
}

export function limitClause(query: RunListQuery): SqlFragment {
  const limit = query.limit ?? -1;
  const offset = query.offset ?? 0;
  if (!Number.isInteger(limit) || !Number.isInteger(offset) || offset < 0) {
    throw new RunStoreError('invalid_input', `bad limit/offset ${limit}/${offset}`);
  }
  return { sql: 'LIMIT ? OFFSET ?', params: [limit, offset] };
}
