import { defineRequest, type ParamsOf, type ParsedParamsOf, type ResultOf } from './request-spec';
import { runsProbeParams, type RunProbe } from './probe';
import { runsEstimateParams, type EpochEstimateAnswer } from './epoch-estimate';
import { configSchemaParams, configValidateParams, type ConfigSchema, type ConfigValidation } from './config';
import {
  ablationCreateParams,
  ablationListParams,
  runIdParams,
  runsCompareParams,
  runsConfigsParams,
  runsCreateParams,
  runsDistributionsParams,
  runsExportComparisonParams,
  runsExportListParams,
  runsExportParams,
  runsListParams,
  runsMetricsParams,
  runsUpdateParams,
  type AblationGroup,
  type DistributionRecord,
  type ExportedFile,
  type MetricSeries,
  type QueueStatus,
  type RunComparison,
  type RunDetails,
  type RunFlatConfig,
  type RunRecord,
  type RunSummary,
} from './runs';
import {
  backendsParams,
  backendStatusParams,
  chooseDataLocationParams,
  systemInfoParams,
  type BackendAvailability,
  type BackendStatus,
  type ChosenLocation,
  type SystemInfo,
} from './system';

/**
 * Every request the renderer can make, by name. Adding a request means adding one entry here (with
 * its params schema and result type); the compiler then points at the handler map that lacks it.
 */
export const requests = {
  'system.info': defineRequest<SystemInfo>()(systemInfoParams),
  'system.backend': defineRequest<BackendStatus>()(backendStatusParams),
  'system.backends': defineRequest<BackendAvailability>()(backendsParams),
  'system.chooseDataLocation': defineRequest<ChosenLocation>()(chooseDataLocationParams),
  'config.schema': defineRequest<ConfigSchema>()(configSchemaParams),
  'config.validate': defineRequest<ConfigValidation>()(configValidateParams),
  'runs.list': defineRequest<RunSummary[]>()(runsListParams),
  'runs.get': defineRequest<RunDetails>()(runIdParams),
  'runs.configs': defineRequest<RunFlatConfig[]>()(runsConfigsParams),
  'runs.estimate': defineRequest<EpochEstimateAnswer>()(runsEstimateParams),
  'runs.create': defineRequest<RunRecord>()(runsCreateParams),
  'runs.start': defineRequest<RunRecord>()(runIdParams),
  'runs.resume': defineRequest<RunRecord>()(runIdParams),
  'runs.rerun': defineRequest<RunRecord>()(runIdParams),
  'runs.cancel': defineRequest<{ cancelled: boolean }>()(runIdParams),
  'runs.delete': defineRequest<{ deleted: true }>()(runIdParams),
  'runs.update': defineRequest<RunRecord>()(runsUpdateParams),
  'runs.metrics': defineRequest<MetricSeries[]>()(runsMetricsParams),
  'runs.distributions': defineRequest<DistributionRecord[]>()(runsDistributionsParams),
  'runs.compare': defineRequest<RunComparison>()(runsCompareParams),
  'runs.export': defineRequest<ExportedFile>()(runsExportParams),
  'runs.exportComparison': defineRequest<ExportedFile>()(runsExportComparisonParams),
  'runs.exportList': defineRequest<ExportedFile>()(runsExportListParams),
  'runs.probe': defineRequest<RunProbe>()(runsProbeParams),
  'runs.queue': defineRequest<QueueStatus>()(ablationListParams),
  'ablation.create': defineRequest<AblationGroup>()(ablationCreateParams),
  'ablation.list': defineRequest<AblationGroup[]>()(ablationListParams),
} as const;

export type RequestTable = typeof requests;
export type RequestName = keyof RequestTable & string;
export type RequestParams<K extends RequestName> = ParamsOf<RequestTable, K>;
export type ParsedRequestParams<K extends RequestName> = ParsedParamsOf<RequestTable, K>;
export type RequestResult<K extends RequestName> = ResultOf<RequestTable, K>;

/** The same table as a plain type map: `RequestMap['system.info']['result']`. */
export type RequestMap = {
  readonly [K in RequestName]: { readonly params: RequestParams<K>; readonly result: RequestResult<K> };
};

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}
