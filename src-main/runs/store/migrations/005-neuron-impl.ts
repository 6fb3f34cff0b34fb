import type { Migration } from './migration';

/**
 * The GLIF neuron implementation a run trained with (`fused` or `ops`), as its started event
 * reported: the two differ in speed and in float rounding, so a run's numbers name it. Null for
 * runs from before this version and until a run has started.
 */
export const migration005NeuronImpl: Migration = {
  version: 5,
  name: 'neuron-impl',
  up(db) {
    db.exec('ALTER TABLE runs ADD COLUMN neuron_impl TEXT');
  },
};
