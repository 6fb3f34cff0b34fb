/**
 * Exports of one run for analysis outside the workbench (pandas, a spreadsheet, a paper's
 * supplementary material). Full series, never downsampled.
 */
import { RunStoreError } from './errors';
import type { CheckpointRecord, DistributionRecord, MetricSeries, RunRecord, RunStoreReader } from './types';
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

/** RFC 4180 quoting, only where needed. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One line per metric point, series after series, each in step order. NaN is written as `NaN`. */
export function metricsToCsv(series: readonly MetricSeries[]): string {
  const lines = ['step,epoch,name,value'];
  for (const { name, points } of series) {
    const field = csvField(name);
    for (const p of points) lines.push(`${p.step},${p.epoch},${field},${String(p.value)}`);
  }
  return `${lines.join('\n')}\n`;
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
    case 'csv': {
      if (reader.getRun(runId) === null) throw new RunStoreError('not_found', `no run with id ${runId}`);
      return metricsToCsv(reader.getMetrics(runId));
    }
    case 'json':
      return `${toOutputJson(buildRunExport(reader, runId))}\n`;
    default: {
      const unknown: never = format;
      throw new RunStoreError('invalid_input', `unknown export format ${String(unknown)}`);
    }
  }
}
