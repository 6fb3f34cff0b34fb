import { migration001Initial } from './001-initial';
import { migration002Indexes } from './002-indexes';
import { migration003Threads } from './003-threads';
import { migration004AttemptTimes } from './004-attempt-times';
import { migration005NeuronImpl } from './005-neuron-impl';
import { migration006MetricTimes } from './006-metric-times';
import { migration007Adapter } from './007-adapter';
import { migration008RequestedBackend } from './008-requested-backend';
import { migration009EnergyMacs } from './009-energy-macs';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** Every migration, in order. Versions are 1, 2, 3, ... with no gaps. */
export const MIGRATIONS: readonly Migration[] = [
  migration001Initial,
  migration002Indexes,
  migration003Threads,
  migration004AttemptTimes,
  migration005NeuronImpl,
  migration006MetricTimes,
  migration007Adapter,
  migration008RequestedBackend,
  migration009EnergyMacs,
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
