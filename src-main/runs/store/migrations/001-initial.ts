import type { Migration } from './migration';

/**
 * Tables and their constraints. Secondary indexes for queries come in 002.
 *
 * Distribution quantities are not CHECK-constrained (unlike run statuses): the trainer may learn
 * to record new ones, and SQLite cannot change a CHECK without rebuilding the table.
 */
export const migration001Initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE runs (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL
          CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
        preset TEXT,
        backend TEXT,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        duration_ms INTEGER,
        error TEXT,
        pid INTEGER,
        parent_run_id TEXT REFERENCES runs(id) ON DELETE SET NULL,
        notes TEXT NOT NULL DEFAULT '',
        config_json TEXT NOT NULL CHECK (json_valid(config_json)),
        dataset TEXT NOT NULL,
        model TEXT NOT NULL,
        variant TEXT,
        layerwise INTEGER CHECK (layerwise IN (0, 1)),
        time_steps INTEGER,
        epochs INTEGER,
        batch_size INTEGER,
        lr REAL,
        seed INTEGER,
        final_test_accuracy REAL,
        final_test_loss REAL,
        final_train_accuracy REAL,
        final_train_loss REAL,
        energy_sops REAL
      );

      CREATE TABLE metrics (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        name TEXT NOT NULL,
        value REAL
      );

      CREATE TABLE distributions (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        layer TEXT NOT NULL,
        quantity TEXT NOT NULL,
        count INTEGER NOT NULL,
        mean REAL, std REAL, min REAL, max REAL,
        p05 REAL, p25 REAL, p50 REAL, p75 REAL, p95 REAL,
        histogram_json TEXT NOT NULL CHECK (json_valid(histogram_json)),
        UNIQUE (run_id, epoch, layer, quantity)
      );

      CREATE TABLE checkpoints (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        step INTEGER NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (run_id, epoch)
      );

      CREATE TABLE tags (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (run_id, tag)
      ) WITHOUT ROWID;
    `);
  },
};
