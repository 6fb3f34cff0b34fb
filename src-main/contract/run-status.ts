/**
 * A run's statuses, defined once: the store keeps them, the run manager moves between them, the
 * API filters by them and the views show them. (The store's SQL CHECK in its first migration
 * spells them too; migrations are history and never change.)
 */
export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses a run's attempt ends in; only a resume moves a run on from one (never from `completed`). */
export const TERMINAL_RUN_STATUSES = ['completed', 'failed', 'cancelled', 'interrupted'] as const;
export type TerminalRunStatus = (typeof TERMINAL_RUN_STATUSES)[number];

/**
 * Which status may follow which, the one table of a run's lifecycle: the store's updates only
 * match rows in a status listed here before their target, and the run manager and the hosts
 * ask it before they queue a move.
 *
 * - queued → running: its turn in the queue came (a first start).
 * - queued → cancelled: cancelled while waiting; → failed: it could not be started.
 * - running → any end: it completed, failed, was cancelled, or its process went away (interrupted).
 * - failed, cancelled, interrupted → running: resumed from its last checkpoint.
 * - completed is final.
 */
export const RUN_STATUS_TRANSITIONS: { readonly [From in RunStatus]: readonly RunStatus[] } = {
  queued: ['running', 'cancelled', 'failed'],
  running: ['completed', 'failed', 'cancelled', 'interrupted'],
  completed: [],
  failed: ['running'],
  cancelled: ['running'],
  interrupted: ['running'],
};

/** Whether a run that is `from` may become `to`. */
export function canFollow(from: RunStatus, to: RunStatus): boolean {
  return RUN_STATUS_TRANSITIONS[from].includes(to);
}

/** The statuses a run may be in to become `to`, in RUN_STATUSES order. */
export function statusesBefore(to: RunStatus): RunStatus[] {
  return RUN_STATUSES.filter((from) => canFollow(from, to));
}

/**
 * The statuses a resume continues from: every one that may become `running` again, that is all
 * but `queued` (whose move to running is a first start). A rerun starts a copy from the same ones.
 */
export const RESUMABLE_RUN_STATUSES: readonly RunStatus[] = statusesBefore('running').filter(
  (status) => status !== 'queued',
);

/** `interrupted, cancelled or failed`: the statuses as a message lists them. */
export function listStatuses(statuses: readonly RunStatus[]): string {
  return statuses.length <= 1
    ? statuses.join('')
    : `${statuses.slice(0, -1).join(', ')} or ${statuses[statuses.length - 1]}`;
}
