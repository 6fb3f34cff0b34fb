/**
 * A run's statuses, defined once: the store keeps them, the run manager moves between them, the
 * API filters by them and the views show them. (The store's SQL CHECK in its first migration
 * spells them too; migrations are history and never change.)
 */
export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses a run ends in; once there it never changes again. */
export const TERMINAL_RUN_STATUSES = ['completed', 'failed', 'cancelled', 'interrupted'] as const;
export type TerminalRunStatus = (typeof TERMINAL_RUN_STATUSES)[number];
