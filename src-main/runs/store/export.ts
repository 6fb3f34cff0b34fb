/**
 * Exports of one run for analysis outside the workbench (pandas, a spreadsheet, a paper's
 * supplementary material). Full series, never downsampled. The CSV is the tidy series table of
 * csv-export.ts; the JSON is everything the store holds of the run.
 */
import { runsSeriesCsv } from './csv-export';
import { RunStoreError } from './errors';
import type { CheckpointRecord, DistributionRecord, RunRecord, RunStoreReader } from './types';
import { toOutputJson } from '../../contract/json-numbers';

export type ExportFormat = 'csv' | 'json';

export interface RunExport {
  format: 'glif-workbench-run';
  version: 1;
  run: Omit<RunRecord, 'config'>;
  config: RunRecord['config'];
  /** In the JSON text, a non-finite value is the string "Infinity", "-Infinity" or "NaN" (see json-numbers.ts). */
  metrics: Array<{ name: string; points: Array<{ step: number; epoch: number; value: number }> }>;
  distributions: DistributionRecord[];
  checkpoints: CheckpointRecord[];
}

export function buildRunExport(reader: RunStoreReader, runId: string): RunExport {
  const record = reader.getRun(runId);
  if (record === null) throw new RunStoreError('not_found', `no run with id ${runId}`);
  const { config, ...run } = record;
  return {
    format: 'glif-workbench-run',
    version: 1,
    run,
    config,
    metrics: reader.getMetrics(runId).map(({ name, points }) => ({
      name,
      points: points.map((p) => ({ step: p.step, epoch: p.epoch, value: p.value })),
    })),
    distributions: reader.getDistributions(runId),
    checkpoints: reader.getCheckpoints(runId),
  };
}

export function exportRun(reader: RunStoreReader, runId: string, format: ExportFormat): string {
  switch (format) {
    case 'csv':
      return runsSeriesCsv(reader, [runId]);
    case 'json':
      return `${toOutputJson(buildRunExport(reader, runId))}\n`;
    default: {
      const unknown: never = format;
      throw new RunStoreError('invalid_input', `unknown export format ${String(unknown)}`);
    }
  }
}
