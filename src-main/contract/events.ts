import type { EpochEvent, LogEvent, RunStartedEvent, StepEvent } from '../engine/train/events';

export type { PreparingProgress } from '../engine/train/events';
import type { RunAdapter, RunStatus } from '../runs/store/types';
import type { MetricPointWire } from './metrics';

/** A short message from the main side that the UI shows to the user (e.g. a backend fallback). */
export interface AppNotice {
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
}

/**
 * Every event the main side pushes, by type. Later: `run.status`, `run.metrics`, ... Events come
 * from our own main side, so they are typed but not validated.
 */
export interface EventMap {
  'app.notice': AppNotice;
  /** A run changed status (queued -> running -> completed/failed/cancelled/interrupted). */
  'run.status': { readonly runId: string; readonly status: RunStatus; readonly error: string | null };
  /** The worker picked its TF.js backend. */
  'run.backend': {
    readonly runId: string;
    readonly active: string;
    readonly fixHints: readonly string[];
    /** The GPU a webgpu run computes on. */
    readonly adapter?: RunAdapter;
  };
  'run.started': { readonly runId: string } & Omit<RunStartedEvent, 'type'>;
  /** One training step: loss, batch accuracy, lr, throughput, ETA, and its metric points. */
  'run.step': { readonly runId: string; readonly points: readonly MetricPointWire[] } & Omit<
    StepEvent,
    'type'
  >;
  /** One epoch: train/test metrics, firing rates, SOPs, per-layer distributions, its metric points. */
  'run.epoch': { readonly runId: string; readonly points: readonly MetricPointWire[] } & Omit<
    EpochEvent,
    'type'
  >;
  /**
   * What a run says beside its numbers: its data being prepared (`preparing`: decoding an image
   * folder, converting DVS events, before the first step) and warnings (an epoch of days).
   */
  'run.log': { readonly runId: string } & Omit<LogEvent, 'type'>;
}

export type EventName = keyof EventMap;

/** One pushed event, discriminated by `type`. */
export type AppEvent = {
  readonly [K in EventName]: { readonly type: K; readonly payload: EventMap[K] };
}[EventName];

export type EventHandler = (event: AppEvent) => void;
