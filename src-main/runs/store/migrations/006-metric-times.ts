import type { Migration } from './migration';

/**
 * When each metric point was recorded (ms since the Unix epoch), so an export can give every row
 * its wall time: throughput and time-to-accuracy comparisons need it, and step numbers alone hide
 * pauses, resumes and slow epochs. Null for points recorded before this version.
 */
export const migration006MetricTimes: Migration = {
  version: 6,
  name: 'metric-times',
  up(db) {
    db.exec('ALTER TABLE metrics ADD COLUMN recorded_at INTEGER');
  },
};
