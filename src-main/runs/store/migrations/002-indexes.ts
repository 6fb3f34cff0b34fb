import type { Migration } from './migration';

/**
 * Indexes for the queries the UI makes: a metric series of one run (also what makes the
 * ON DELETE CASCADE from runs cheap), list filters on the hyperparameter columns, runs by tag,
 * and finding the runs of a parent and the runs still marked running at start-up.
 */
export const migration002Indexes: Migration = {
  version: 2,
  name: 'indexes',
  up(db) {
    db.exec(`
      CREATE INDEX metrics_run_name_step ON metrics (run_id, name, step);
      CREATE INDEX runs_created_at ON runs (created_at);
      CREATE INDEX runs_status ON runs (status);
      CREATE INDEX runs_dataset_model ON runs (dataset, model);
      CREATE INDEX runs_variant ON runs (variant);
      CREATE INDEX runs_layerwise ON runs (layerwise);
      CREATE INDEX runs_time_steps ON runs (time_steps);
      CREATE INDEX runs_epochs ON runs (epochs);
      CREATE INDEX runs_batch_size ON runs (batch_size);
      CREATE INDEX runs_lr ON runs (lr);
      CREATE INDEX runs_seed ON runs (seed);
      CREATE INDEX runs_final_test_accuracy ON runs (final_test_accuracy);
      CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
      CREATE INDEX tags_tag ON tags (tag);
    `);
  },
};
