import type { Migration } from './migration';

/** The threads a run trained on (data-parallel replicas), as its started event reported; null before that. */
export const migration003Threads: Migration = {
  version: 3,
  name: 'threads',
  up(db) {
    db.exec('ALTER TABLE runs ADD COLUMN threads INTEGER');
  },
};
