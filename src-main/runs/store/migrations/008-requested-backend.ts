import type { Migration } from './migration';

/**
 * The TF.js backend a run asked for (the New-run form's Compute backend, `glif train --backend`),
 * apart from `backend`, the one it ran on: a resume must ask for the same one again, and a run
 * that asked for cpu and ran on cpu reads differently from one that fell back to it. Null when the
 * run left the choice to its host (and for runs from before this version).
 */
export const migration008RequestedBackend: Migration = {
  version: 8,
  name: 'requested-backend',
  up(db) {
    db.exec('ALTER TABLE runs ADD COLUMN requested_backend TEXT');
  },
};
