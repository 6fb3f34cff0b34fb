import type { BackendName } from '../contract/backends';
import type { BackendAvailability, BackendOption } from '../contract/system';
import type { BackendCandidateReport, BackendReport } from '../engine/backend';
import type { WorkerLauncher } from '../runs/worker/launch';
import { askWorker } from '../runs/worker/ask-worker';

/** Dawn's adapter search and a native load take seconds; a worker that hangs longer is broken. */
const SURVEY_TIMEOUT_MS = 60_000;

/**
 * `system.backends`: which backends a run on this host can train on, for the New-run form. Asked
 * of a worker process (the `survey` message), never of this one: a native backend or Dawn, once
 * loaded, stays loaded in the process that loaded it, and the host does not train. Surveyed once,
 * when first asked (what is installed does not change under a running host), and again after a
 * survey failed.
 */
export class BackendSurvey {
  private pending: Promise<BackendAvailability> | undefined;

  constructor(
    private readonly launch: WorkerLauncher,
    /** The host's default for runs that ask for none (`glif serve --backend`). */
    private readonly hostDefault: BackendName | undefined,
  ) {}

  get(): Promise<BackendAvailability> {
    this.pending ??= surveyInWorker(this.launch).then(
      (report) => availabilityOf(report, this.hostDefault),
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    );
    return this.pending;
  }
}

function surveyInWorker(launch: WorkerLauncher): Promise<BackendReport> {
  return askWorker(launch, { type: 'survey' }, (m) => (m.type === 'backend' ? { ok: m.report } : undefined), {
    timeoutMs: SURVEY_TIMEOUT_MS,
    what: 'the backend survey',
  });
}

/** The survey's report as the form needs it (exported for tests). */
export function availabilityOf(
  report: BackendReport,
  hostDefault: BackendName | undefined,
): BackendAvailability {
  return {
    defaultBackend: hostDefault ?? report.active,
    hostDefault: hostDefault !== undefined,
    options: report.candidates.map(optionOf),
  };
}

function optionOf(c: BackendCandidateReport): BackendOption {
  const byNameOnly = c.byNameOnly === true;
  return {
    name: c.name,
    usable: c.available || byNameOnly,
    byNameOnly,
    reason: c.reason ?? null,
    note: c.note ?? null,
    adapter: c.adapters?.[0] ?? null,
  };
}
