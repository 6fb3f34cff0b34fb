/**
 * The run store: every training run of the workbench in one SQLite file, written by the main
 * process only (`RunStore`) and readable from anywhere (`openRunStoreReader`).
 */
export { RunStore, type RunStoreOptions } from './run-store';
export { SqliteRunStoreReader, openRunStoreReader } from './reader';
export { MetricWriteBuffer, type MetricBatch, type MetricWriteBufferOptions } from './metric-buffer';
export { RunStoreError, type RunStoreErrorCode } from './errors';
export {
  APP_NAME,
  DB_FILE_NAME,
  checkpointDir,
  defaultDataDir,
  defaultDbPath,
  type DataDirEnvironment,
} from './paths';
export { exportRun, buildRunExport, type ExportFormat, type RunExport } from './export';
export { RUN_LIST_COLUMNS, SERIES_CSV_COLUMNS, runListCsv, runsSeriesCsv } from './csv-export';
export { downsample, downsampleLttb, downsampleStride } from './downsample';
export { diffConfigs, flattenConfig, seedGroups } from './config-diff';
export { isProcessAlive } from './liveness';
export { removeRunCheckpoints, type RemovedCheckpoints } from './checkpoint-files';
export { isRunId, newRunId } from './ids';
export { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations';
export * from './types';
