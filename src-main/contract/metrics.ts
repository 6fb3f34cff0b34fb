/**
 * The names of the metric series a run records, one vocabulary for the store, the live events and
 * the views. The main side maps training events to points (runs/metric-points.ts), stores them
 * and sends the same points with each live event; the renderer appends what it is sent.
 */
import type { PICOJOULES_PER_OPERATION } from '../engine/train/energy-costs';

export type StepMetricName = 'train/loss' | 'train/batch_accuracy' | 'lr' | 'samples_per_s';

export type EpochMetricName =
  | 'epoch/train_loss'
  | 'epoch/train_accuracy'
  | 'epoch/test_loss'
  | 'epoch/test_accuracy'
  | 'epoch/sops_per_sample'
  | 'epoch/macs_per_sample'
  | 'epoch/energy_uj_per_sample'
  | 'epoch/seconds'
  | 'epoch/num_tensors'
  | `firing_rate/${string}`;

export type MetricName = StepMetricName | EpochMetricName;

/**
 * Series the trainer records for its own checks, not as results: `epoch/num_tensors` is the
 * tensor count that shows a memory leak (flat when none). CSV exports leave them out; the JSON
 * export, a full dump of the store, keeps them.
 */
export const INTERNAL_METRIC_NAMES: ReadonlySet<string> = new Set<MetricName>(['epoch/num_tensors']);

/** One point of a series as a live event carries it (the store adds the run id). */
export interface MetricPointWire {
  readonly name: MetricName;
  readonly step: number;
  readonly epoch: number;
  /** NaN and infinities travel as such (json-numbers.ts). */
  readonly value: number;
  /** When the main side got the event, ms since the Unix epoch: live charts over time need it. */
  readonly recordedAt: number;
}

/**
 * The energy the estimate charges per operation, pJ, at 45 nm (engine/train/energy-costs.ts), as
 * literal types: the renderer, which may import only types, keeps a copy that this type pins to
 * the engine's figures, so a change there fails the renderer's type check until its copy follows.
 */
export type PicojoulesPerOperation = typeof PICOJOULES_PER_OPERATION;
