/**
 * The main side's answers to the contract's requests. No Electron import: the Electron shell and the
 * headless host assemble the same handlers, each describing its own host.
 */
import type { RequestHandlers } from '../contract/dispatch';
import type { RequestTable } from '../contract/requests';
import type { HostKind, SystemInfo } from '../contract/system';
import { RequestFailure } from '../contract/errors';
import type { Workbench } from './workbench';

export interface HostDescription {
  readonly appName: string;
  readonly appVersion: string;
  readonly host: HostKind;
  /** The native open dialog (desktop app only); resolves to the chosen path or null. */
  readonly chooseLocation?: (kind: 'folder' | 'file') => Promise<string | null>;
}

export function describeSystem(host: HostDescription): SystemInfo {
  return {
    appName: host.appName,
    appVersion: host.appVersion,
    host: host.host,
    platform: process.platform,
    arch: process.arch,
    nodeVersion: process.versions.node,
    electronVersion: process.versions.electron ?? null,
  };
}

/** Every request of the contract must have an entry here (checked by `RequestHandlers`). */
export function createRequestHandlers(host: HostDescription, wb: Workbench): RequestHandlers<RequestTable> {
  return {
    'system.info': () => describeSystem(host),
    'system.backend': () => {
      const r = wb.backendReport();
      return { active: r?.active ?? null, fixHints: r?.fixHints ?? [] };
    },
    'system.backends': () => wb.backends.get(),
    'system.chooseDataLocation': async (p) => {
      if (!host.chooseLocation) {
        throw new RequestFailure(
          'unavailable',
          'Choosing a location with a dialog needs the desktop app. Type the path as the host machine sees it.',
        );
      }
      return { path: await host.chooseLocation(p.kind) };
    },
    'config.schema': () => wb.configSchema(),
    'config.validate': (p) => wb.validateConfig(p.preset, p.values),
    'runs.list': (p) => wb.listRuns(p),
    'runs.get': (p) => wb.getRun(p.runId),
    'runs.configs': (p) => wb.store.getFlatConfigs(p.runIds),
    'runs.estimate': (p) => wb.estimateEpoch(p),
    'runs.create': (p) => wb.createRun(p),
    'runs.start': (p) => wb.startRun(p.runId),
    'runs.resume': (p) => wb.resumeRun(p.runId),
    'runs.rerun': (p) => wb.rerun(p.runId),
    'runs.cancel': (p) => wb.cancelRun(p.runId),
    'runs.delete': (p) => wb.deleteRun(p.runId),
    'runs.update': (p) => wb.updateRun(p),
    'runs.metrics': (p) => wb.metrics(p),
    'runs.distributions': (p) => wb.distributions(p),
    'runs.compare': (p) => wb.compare(p.runIds),
    'runs.export': (p) => wb.exportRun(p.runId, p.format),
    'runs.exportComparison': (p) => wb.exportComparison(p.runIds),
    'runs.exportList': (p) => wb.exportList(p.runIds),
    'runs.probe': (p) => wb.probes.probe(p),
    'runs.queue': () => wb.queueStatus(),
    'ablation.create': (p) => wb.createAblation(p),
    'ablation.list': () => wb.listAblations(),
  };
}
