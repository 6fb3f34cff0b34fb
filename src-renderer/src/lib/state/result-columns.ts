/**
 * The Runs list's result columns (`result:testLoss`): what each is called and holds, how it is
 * formatted and sorted first, and a run's value in it. run-columns.ts builds the column keys,
 * headings and cells on these, beside the config columns.
 */
import type { JsonValue, RunSummary } from '../api/contract';
import {
  formatCount,
  formatDate,
  formatDuration,
  formatPercent,
  formatStat,
  MISSING,
} from '../components/format';
import { ENERGY_PER_SAMPLE } from './energy-costs';

export const RESULT_IDS = [
  'testAccuracy',
  'bestTestAccuracy',
  'bestEpoch',
  'testLoss',
  'trainAccuracy',
  'trainLoss',
  'energySops',
  'energyMacs',
  'energyMicrojoules',
  'durationMs',
  'epochsDone',
  'finishedAt',
  'backend',
  'threads',
  'neuronImpl',
] as const;
export type ResultId = (typeof RESULT_IDS)[number];

type ResultFormat = 'percent' | 'stat' | 'count' | 'duration' | 'integer' | 'date' | 'text';

export interface ResultColumn {
  readonly id: ResultId;
  readonly label: string;
  readonly unit?: string;
  /** What the picker says the column holds. */
  readonly description: string;
  readonly format: ResultFormat;
  /** Best first for scores, A to Z otherwise. */
  readonly firstDirection: 'asc' | 'desc';
}

export const RESULT_COLUMNS: readonly ResultColumn[] = [
  {
    id: 'testAccuracy',
    label: 'Test acc.',
    description: 'Final test accuracy',
    format: 'percent',
    firstDirection: 'desc',
  },
  {
    id: 'bestTestAccuracy',
    label: 'Best test acc.',
    description: 'Best test accuracy over the epochs (as the paper reports)',
    format: 'percent',
    firstDirection: 'desc',
  },
  {
    id: 'bestEpoch',
    label: 'Best epoch',
    description: 'The epoch that first reached the best test accuracy',
    format: 'integer',
    firstDirection: 'asc',
  },
  {
    id: 'testLoss',
    label: 'Test loss',
    description: 'Final test loss',
    format: 'stat',
    firstDirection: 'asc',
  },
  {
    id: 'trainAccuracy',
    label: 'Train acc.',
    description: 'Final train accuracy',
    format: 'percent',
    firstDirection: 'desc',
  },
  {
    id: 'trainLoss',
    label: 'Train loss',
    description: 'Final train loss',
    format: 'stat',
    firstDirection: 'asc',
  },
  {
    id: 'energySops',
    label: 'SOPs',
    unit: 'per sample',
    description: 'Synaptic operations per test sample, where layers receive spikes',
    format: 'count',
    firstDirection: 'asc',
  },
  {
    id: 'energyMacs',
    label: 'MACs',
    unit: 'per sample',
    description:
      'Multiply-accumulates per test sample, where layers receive real values (the image, a Linear after a Linear, a membrane shortcut)',
    format: 'count',
    firstDirection: 'asc',
  },
  {
    id: 'energyMicrojoules',
    label: 'Energy',
    unit: 'µJ/sample',
    description: `Estimated energy: ${ENERGY_PER_SAMPLE}`,
    format: 'stat',
    firstDirection: 'asc',
  },
  {
    id: 'durationMs',
    label: 'Duration',
    description: 'Training time, pauses left out',
    format: 'duration',
    firstDirection: 'asc',
  },
  {
    id: 'epochsDone',
    label: 'Epochs done',
    description: 'Epochs with their test metrics stored',
    format: 'integer',
    firstDirection: 'desc',
  },
  {
    id: 'finishedAt',
    label: 'Finished',
    description: 'When the run ended',
    format: 'date',
    firstDirection: 'desc',
  },
  {
    id: 'backend',
    label: 'Backend',
    description: 'TF.js backend it trained on',
    format: 'text',
    firstDirection: 'asc',
  },
  {
    id: 'threads',
    label: 'Threads',
    description: 'Threads it trained on',
    format: 'integer',
    firstDirection: 'asc',
  },
  {
    id: 'neuronImpl',
    label: 'Neuron impl.',
    description: 'GLIF implementation (fused or ops)',
    format: 'text',
    firstDirection: 'asc',
  },
];

export const RESULT_BY_ID: ReadonlyMap<string, ResultColumn> = new Map(
  RESULT_COLUMNS.map((column) => [column.id, column]),
);

/** A run's value in a result column (null when it has none yet). */
export function resultValue(run: RunSummary, id: ResultId): number | string | null {
  switch (id) {
    case 'testAccuracy':
      return run.finals.finalTestAccuracy;
    case 'bestTestAccuracy':
      return run.progress.bestTestAccuracy;
    case 'bestEpoch':
      return run.progress.bestEpoch;
    case 'testLoss':
      return run.finals.finalTestLoss;
    case 'trainAccuracy':
      return run.finals.finalTrainAccuracy;
    case 'trainLoss':
      return run.finals.finalTrainLoss;
    case 'energySops':
      return run.finals.energySops;
    case 'energyMacs':
      return run.finals.energyMacs;
    case 'energyMicrojoules':
      return run.finals.energyMicrojoules;
    case 'durationMs':
      return run.durationMs;
    case 'epochsDone':
      return run.progress.epochsDone;
    case 'finishedAt':
      return run.finishedAt;
    case 'backend':
      return run.backend;
    case 'threads':
      return run.threads;
    case 'neuronImpl':
      return run.neuronImpl;
  }
}

/** A result cell's text, in the column's format. */
export function formatResult(column: ResultColumn, value: JsonValue | undefined): string {
  if (typeof value !== 'number') return typeof value === 'string' && value !== '' ? value : MISSING;
  switch (column.format) {
    case 'percent':
      return formatPercent(value);
    case 'stat':
      return formatStat(value);
    case 'count':
      return formatCount(value);
    case 'duration':
      return formatDuration(value);
    case 'integer':
      return String(value);
    case 'date':
      return formatDate(value);
    case 'text':
      return String(value);
  }
}
