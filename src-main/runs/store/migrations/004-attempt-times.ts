import type { Migration } from './migration';

/**
 * When the current attempt of a run started (its first start or its latest resume) and when the
 * run last recorded something (a metric batch, a checkpoint). A process that dies leaves the run
 * `running` with no duration; recovery then counts that attempt's time up to its last record, so
 * `duration_ms` of a resumed run includes the attempts before a crash. Null for rows written
 * before this version.
 */
export const migration004AttemptTimes: Migration = {
  version: 4,
  name: 'attempt-times',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN attempt_started_at INTEGER;
      ALTER TABLE runs ADD COLUMN last_active_at INTEGER;
    `);
  },
};
