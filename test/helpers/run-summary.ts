import type { RunSummary } from '../../src-renderer/src/lib/api/contract';

/** What a test may change in a run summary: any field, and single columns or finals. */
export type RunSummaryOverrides = Partial<Omit<RunSummary, 'columns' | 'finals'>> & {
  readonly columns?: Partial<RunSummary['columns']>;
  readonly finals?: Partial<RunSummary['finals']>;
};

/**
 * A completed synthetic-mlp run summary as the runs list sends it, for the renderer's state tests.
 * One place spells every field, so a field added to RunSummary is added here once.
 */
export function runSummary(o: RunSummaryOverrides = {}): RunSummary {
  const { columns, finals, ...rest } = o;
  return {
    id: 'run0001',
    name: 'run 1',
    status: 'completed',
    preset: 'synthetic-mlp',
    backend: 'wasm',
    threads: 1,
    neuronImpl: 'fused',
    adapter: null,
    requestedBackend: null,
    createdAt: 1_000,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    error: null,
    pid: null,
    parentRunId: null,
    notes: '',
    tags: [],
    progress: { epochsDone: 0, latestTestAccuracy: null, bestTestAccuracy: null, bestEpoch: null },
    ...rest,
    columns: {
      dataset: 'synthetic',
      model: 'mlp',
      variant: 'glif',
      layerwise: false,
      timeSteps: 4,
      epochs: 2,
      batchSize: 32,
      lr: 0.1,
      seed: 9,
      ...columns,
    },
    finals: {
      finalTestAccuracy: null,
      finalTestLoss: null,
      finalTrainAccuracy: null,
      finalTrainLoss: null,
      energySops: null,
      energyMacs: null,
      energyMicrojoules: null,
      ...finals,
    },
  };
}
