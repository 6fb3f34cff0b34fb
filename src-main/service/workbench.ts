import type { BackendName, BackendReport } from '../engine/backend';
import { buildConfigFromValues } from '../engine/config/build';
import { CONFIG_FIELDS, type FieldGroup } from '../engine/config/fields';
import { PRESETS } from '../engine/config/presets';
import type { ValidRunConfig } from '../engine/config/types';
import { ConfigError, type ConfigIssue } from '../engine/config/validate';
import { checkDataLocation } from '../engine/data/locate';
import { describeVariant, VARIANT_IDS } from '../engine/glif/variants';
import type {
  AblationGroup,
  DistributionRecord,
  ExportedFile,
  MetricSeries,
  QueueStatus,
  RunComparison,
  RunDetails,
} from '../contract/runs';
import type { ConfigSchema, ConfigValidation, ConfigValues } from '../contract/config';
import { RequestFailure } from '../contract/errors';
import { listStatuses, RESUMABLE_RUN_STATUSES } from '../contract/run-status';
import type { EventMap, EventName } from '../contract/events';
import type { ParsedRequestParams } from '../contract/requests';
import { RunManager, requestedBackendOf, storedConfigOf } from '../runs/manager';
import { epochMetricPoints, stepMetricPoints } from '../runs/metric-points';
import { removeRunCheckpoints } from '../runs/store/checkpoint-files';
import { exportRun } from '../runs/store/export';
import { runListCsv, runsSeriesCsv } from '../runs/store/csv-export';
import { RunStoreError } from '../runs/store/errors';
import type { RunStore } from '../runs/store/run-store';
import type { RunRecord, RunSummary } from '../runs/store/types';
import { launchNodeWorker, type WorkerLauncher } from '../runs/worker/launch';
import { epochEstimateFor } from '../runs/worker/estimate';
import { estimateNeeded } from '../engine/train/epoch-estimate';
import type { EpochEstimateAnswer } from '../contract/epoch-estimate';
import { ABLATION_GRID, ablationGroups, ablationVariants } from './ablation';
import { BackendSurvey } from './backend-survey';
import { ProbeService } from './probe-service';

export type EmitEvent = <K extends EventName>(type: K, payload: EventMap[K]) => void;

const GROUPS: ConfigSchema['groups'] = [
  { id: 'data', label: 'Data' },
  { id: 'model', label: 'Model' },
  { id: 'neuron', label: 'Neuron variant and init' },
  { id: 'optimiser', label: 'Optimiser' },
  { id: 'schedule', label: 'Schedule' },
  { id: 'engine', label: 'Engine' },
] satisfies ReadonlyArray<{ id: FieldGroup; label: string }>;

/**
 * The form asks runs.estimate first and says how long an epoch takes; a caller that did not is
 * told to (an image folder on the tfjs engine can mean days per epoch).
 */
function requireEstimateShown(config: ValidRunConfig, accepted: boolean | undefined): void {
  if (estimateNeeded(config) && accepted !== true)
    throw new RequestFailure(
      'invalid_params',
      'A run on an image folder with the tfjs engine starts after its epoch estimate: ask runs.estimate, ' +
        'show it, and create the run with acceptEpochEstimate: true.',
    );
}

function toFailure(err: unknown): never {
  if (err instanceof ConfigError) throw new RequestFailure('invalid_params', err.message);
  if (err instanceof RunStoreError) {
    const code =
      err.code === 'not_found' ? 'not_found' : err.code === 'invalid_input' ? 'invalid_params' : 'conflict';
    throw new RequestFailure(code, err.message);
  }
  throw err;
}

/**
 * Everything the UI can ask of the main side, independent of the transport: the run store,
 * the training queue and the config schema. The Electron shell and the headless host both
 * wrap one of these.
 */
export class Workbench {
  readonly manager: RunManager;
  /** `runs.probe`, computed in a worker thread and cached per checkpoint. */
  readonly probes: ProbeService;
  /** `system.backends`: what this host's runs can train on, asked of a worker once. */
  readonly backends: BackendSurvey;
  private readonly launch: WorkerLauncher;
  private readonly hostBackend: BackendName | undefined;

  constructor(
    readonly store: RunStore,
    readonly dataDir: string,
    private readonly emit: EmitEvent,
    options: { launch?: WorkerLauncher; backend?: BackendName; threads?: number } = {},
  ) {
    this.manager = new RunManager({
      store,
      dataDir,
      launch: options.launch,
      backend: options.backend,
      threads: options.threads,
    });
    this.probes = new ProbeService(store, options.backend);
    this.launch = options.launch ?? launchNodeWorker;
    this.hostBackend = options.backend;
    this.backends = new BackendSurvey(this.launch, options.backend);
    this.manager.recoverInterrupted();
    this.manager.on((e) => {
      switch (e.kind) {
        case 'status':
          this.emit('run.status', { runId: e.runId, status: e.status, error: e.error ?? null });
          return;
        case 'backend':
          this.workerBackend = e.report;
          this.emit('run.backend', {
            runId: e.runId,
            active: e.report.active,
            fixHints: e.report.fixHints,
            ...(e.report.adapter ? { adapter: e.report.adapter } : {}),
          });
          return;
        case 'engine':
          // The torch engine's processes and device stand where a TF.js backend would.
          this.emit('run.backend', { runId: e.runId, active: e.description, fixHints: [] });
          return;
        case 'train':
          switch (e.event.type) {
            case 'started':
              this.emit('run.started', { runId: e.runId, ...e.event });
              return;
            case 'step':
              this.emit('run.step', {
                runId: e.runId,
                ...e.event,
                points: stepMetricPoints(e.event, Date.now()),
              });
              return;
            case 'epoch':
              this.emit('run.epoch', {
                runId: e.runId,
                ...e.event,
                points: epochMetricPoints(e.event, Date.now()),
              });
              return;
            case 'log': {
              const { type: _type, ...log } = e.event;
              this.emit('run.log', { runId: e.runId, ...log });
              return;
            }
            case 'checkpoint':
              return;
          }
      }
    });
  }

  configSchema(): ConfigSchema {
    return {
      fields: CONFIG_FIELDS,
      groups: GROUPS,
      presets: PRESETS,
      variants: VARIANT_IDS.map(describeVariant),
      ablation: ABLATION_GRID,
    };
  }

  validateConfig(preset: string, values: ConfigValues): ConfigValidation {
    try {
      return { config: this.buildConfig(preset, values), issues: [] };
    } catch (err) {
      if (err instanceof ConfigError) return { config: null, issues: err.issues as ConfigIssue[] };
      throw err;
    }
  }

  /** The one validation of a form's values: the config's rules, then that the dataset is there. */
  private buildConfig(preset: string, values: ConfigValues): ValidRunConfig {
    const config = buildConfigFromValues(preset, values);
    // The form's "ready" and a created run both mean the dataset is there: a wrong data.path is
    // refused here, not found later when the run's turn in the queue comes.
    const location = checkDataLocation(config);
    if (location !== null) throw new ConfigError([location]);
    return config;
  }

  listRuns(query: ParsedRequestParams<'runs.list'>): RunSummary[] {
    return this.store.listRuns({
      search: query.search,
      status: query.status,
      tags: query.tags,
      limit: query.limit,
    });
  }

  getRun(runId: string): RunDetails {
    const run = this.store.getRun(runId);
    if (!run) throw new RequestFailure('not_found', `No run ${runId}.`);
    const queued = this.manager.queuedRunIds.indexOf(runId);
    return {
      run,
      checkpoints: this.store.getCheckpoints(runId),
      metricNames: this.store.getMetricNames(runId),
      queuePosition: this.manager.activeRunId === runId ? 'active' : queued >= 0 ? queued + 1 : null,
    };
  }

  /** `runs.estimate`: how long an epoch of these values would take here, before the run exists. */
  async estimateEpoch(p: ParsedRequestParams<'runs.estimate'>): Promise<EpochEstimateAnswer> {
    let config: ValidRunConfig;
    try {
      config = this.buildConfig(p.preset, p.values);
    } catch (err) {
      toFailure(err);
    }
    try {
      return await epochEstimateFor(this.launch, config, p.backend ?? this.hostBackend);
    } catch (err) {
      throw new RequestFailure('unavailable', (err as Error).message);
    }
  }

  createRun(p: ParsedRequestParams<'runs.create'>): RunRecord {
    let record: RunRecord;
    try {
      const config = this.buildConfig(p.preset, p.values);
      requireEstimateShown(config, p.acceptEpochEstimate);
      record = this.manager.createRun(config, {
        name: p.name,
        tags: p.tags,
        parentRunId: p.parentRunId,
        requestedBackend: p.backend,
      });
    } catch (err) {
      toFailure(err);
    }
    if (p.start) void this.manager.start(record.id);
    return record;
  }

  startRun(runId: string): RunRecord {
    const run = this.requireRun(runId);
    if (run.status !== 'queued')
      throw new RequestFailure(
        'conflict',
        `Run ${runId} is ${run.status}; only a queued run can be started.`,
      );
    if (this.manager.activeRunId === runId || this.manager.queuedRunIds.includes(runId)) return run;
    void this.manager.start(runId);
    return run;
  }

  resumeRun(runId: string): RunRecord {
    const run = this.requireRun(runId);
    try {
      void this.manager.resume(runId);
    } catch (err) {
      throw new RequestFailure('conflict', (err as Error).message);
    }
    return run;
  }

  cancelRun(runId: string): { cancelled: boolean } {
    const run = this.requireRun(runId);
    if (!this.manager.cancel(runId)) {
      throw new RequestFailure(
        'conflict',
        `Run ${runId} is ${run.status}; only a queued or running run can be cancelled.`,
      );
    }
    return { cancelled: true };
  }

  async deleteRun(runId: string): Promise<{ deleted: true }> {
    this.requireRun(runId);
    if (this.manager.activeRunId === runId || this.manager.queuedRunIds.includes(runId)) {
      throw new RequestFailure('conflict', `Run ${runId} is training or queued; cancel it first.`);
    }
    try {
      const deleted = this.store.deleteRun(runId);
      const files = await removeRunCheckpoints(this.dataDir, runId, deleted.checkpointPaths);
      for (const { path, reason } of files.kept) {
        console.warn(`run ${runId} deleted; its checkpoint row's file ${path} was left alone: ${reason}`);
      }
    } catch (err) {
      toFailure(err);
    }
    return { deleted: true };
  }

  updateRun(p: ParsedRequestParams<'runs.update'>): RunRecord {
    this.requireRun(p.runId);
    try {
      this.store.updateRun(p.runId, { name: p.name, notes: p.notes, tags: p.tags });
    } catch (err) {
      toFailure(err);
    }
    return this.requireRun(p.runId);
  }

  metrics(p: ParsedRequestParams<'runs.metrics'>): MetricSeries[] {
    this.requireRun(p.runId);
    return this.store.getMetrics(p.runId, p.names, { maxPoints: p.maxPoints });
  }

  distributions(p: ParsedRequestParams<'runs.distributions'>): DistributionRecord[] {
    this.requireRun(p.runId);
    return this.store.getDistributions(p.runId, {
      layer: p.layer,
      quantity: p.quantity,
      epoch: p.epoch,
    });
  }

  compare(runIds: ParsedRequestParams<'runs.compare'>['runIds']): RunComparison {
    for (const id of runIds) this.requireRun(id);
    return this.store.compareRuns(runIds);
  }

  exportRun(runId: string, format: ParsedRequestParams<'runs.export'>['format']): ExportedFile {
    const run = this.requireRun(runId);
    const safe = run.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || run.id;
    return {
      filename: `${safe}-${run.id}.${format}`,
      mimeType: format === 'csv' ? 'text/csv' : 'application/json',
      content: exportRun(this.store, runId, format),
    };
  }

  exportComparison(runIds: ParsedRequestParams<'runs.exportComparison'>['runIds']): ExportedFile {
    for (const id of runIds) this.requireRun(id);
    return {
      filename: `compare-${runIds.length}-runs.csv`,
      mimeType: 'text/csv',
      content: runsSeriesCsv(this.store, runIds),
    };
  }

  exportList(runIds: ParsedRequestParams<'runs.exportList'>['runIds']): ExportedFile {
    const runs = runIds.map((id) => this.requireRun(id));
    return { filename: 'runs.csv', mimeType: 'text/csv', content: runListCsv(runs) };
  }

  createAblation(p: ParsedRequestParams<'ablation.create'>): AblationGroup {
    const groupId = `ablation-${Date.now().toString(36)}`;
    const configs: ValidRunConfig[] = [];
    for (const seed of p.seeds) {
      for (const variant of ablationVariants(p.includeGlifF, p.includeStatic)) {
        try {
          const config = this.buildConfig(p.preset, {
            ...p.values,
            'neuron.variant': variant,
            'train.seed': seed,
          });
          requireEstimateShown(config, p.acceptEpochEstimate);
          configs.push(config);
        } catch (err) {
          toFailure(err);
        }
      }
    }
    const runIds: string[] = [];
    for (const config of configs) {
      const label = describeVariant(config.neuron.variant).label;
      const run = this.manager.createRun(config, {
        name: `${label} · seed ${config.train.seed}`,
        tags: [groupId, 'ablation'],
      });
      runIds.push(run.id);
      void this.manager.start(run.id);
    }
    return { groupId, preset: p.preset, seeds: p.seeds, runIds };
  }

  listAblations(): AblationGroup[] {
    return ablationGroups(
      this.store.listRuns({ tags: ['ablation'], sort: { by: 'createdAt', direction: 'asc' } }),
    );
  }

  queueStatus(): QueueStatus {
    return { active: this.manager.activeRunId ?? null, queued: this.manager.queuedRunIds };
  }

  /**
   * The backend training runs on: the one the latest run's worker chose and reported. Training
   * runs in a worker, never in this process, so this process's own TF.js (if any) says nothing
   * about it: null until a worker has reported.
   */
  backendReport(): BackendReport | null {
    return this.workerBackend ?? null;
  }

  private workerBackend: BackendReport | undefined;

  /** Reruns a failed, cancelled or interrupted ablation cell as a fresh run with the same config. */
  rerun(runId: string): RunRecord {
    const run = this.requireRun(runId);
    // A rerun copies a run that could be resumed (resuming it is the other way to go on).
    if (!RESUMABLE_RUN_STATUSES.includes(run.status)) {
      throw new RequestFailure(
        'conflict',
        `Run ${runId} is ${run.status}; only a ${listStatuses(RESUMABLE_RUN_STATUSES)} run can be rerun.`,
      );
    }
    let config: ValidRunConfig;
    let requestedBackend: BackendName | null;
    try {
      config = storedConfigOf(run);
      requestedBackend = requestedBackendOf(run);
    } catch (err) {
      throw new RequestFailure('conflict', (err as Error).message);
    }
    const fresh = this.manager.createRun(config, { name: run.name, tags: run.tags, requestedBackend });
    void this.manager.start(fresh.id);
    return fresh;
  }

  private requireRun(runId: string): RunRecord {
    const run = this.store.getRun(runId);
    if (!run) throw new RequestFailure('not_found', `No run ${runId}.`);
    return run;
  }

  /**
   * Stops the runs for a shutdown and waits for their workers to exit; the active run is
   * stored as `interrupted` with `reason`. The store stays open (requests still work).
   */
  stopRuns(reason: string): Promise<void> {
    return this.manager.stopRuns(reason);
  }

  /**
   * Shuts down in order: stops the runs and waits for their workers, and only then closes the
   * store, so no late write from a run meets a closed database.
   */
  async close(reason: string): Promise<void> {
    try {
      await Promise.all([this.manager.stopRuns(reason), this.probes.close()]);
    } finally {
      this.store.close();
    }
  }
}
