import type { Migration } from './migration';

/**
 * The GPU a run trained on, as the webgpu backend's adapter described itself (JSON: vendor,
 * architecture, device, description, software): a run's speed and its float rounding depend on it,
 * and "webgpu" alone does not say whether that was a discrete GPU or Mesa's software rasteriser.
 * Null for runs on other backends and for runs from before this version.
 */
export const migration007Adapter: Migration = {
  version: 7,
  name: 'adapter',
  up(db) {
    db.exec('ALTER TABLE runs ADD COLUMN adapter_json TEXT');
  },
};
