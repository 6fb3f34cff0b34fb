import type { Migration } from './migration';

/**
 * The energy estimate's other half: multiply-accumulates per sample where a layer receives real
 * values (the first layer of a static-image model, a Linear after a Linear, a membrane shortcut),
 * and the energy in microjoules of both at the 45 nm figures (engine/train/energy.ts). Null for runs
 * recorded before they were counted.
 */
export const migration009EnergyMacs: Migration = {
  version: 9,
  name: 'energy-macs',
  up(db) {
    db.exec('ALTER TABLE runs ADD COLUMN energy_macs REAL');
    db.exec('ALTER TABLE runs ADD COLUMN energy_uj REAL');
  },
};
