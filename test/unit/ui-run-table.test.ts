import { describe, expect, it } from 'vitest';
import type { RunSummary, VariantDescription } from '../../src-renderer/src/lib/api/contract';
import {
  epochProgress,
  startedProgress,
  steppedProgress,
  storedProgress,
} from '../../src-renderer/src/lib/state/run-progress';
import {
  countByStatus,
  DEFAULT_SORT,
  filterRuns,
  nextSort,
  parseTags,
  runLabels,
  sortRuns,
  upsertRun,
  variantNamer,
} from '../../src-renderer/src/lib/state/run-table';
import { runSummary } from '../helpers/run-summary';

let seq = 0;
function run(
  overrides: Partial<RunSummary> & { accuracy?: number | null; variant?: string; lr?: number },
): RunSummary {
  seq++;
  const { accuracy = null, variant = 'glif', lr = 0.1, ...rest } = overrides;
  return runSummary({
    id: `run${String(seq).padStart(4, '0')}`,
    name: `run ${seq}`,
    createdAt: 1_000 + seq,
    columns: { variant, lr },
    finals: { finalTestAccuracy: accuracy },
    ...rest,
  });
}

const variants: VariantDescription[] = [
  { id: 'glif', label: 'GLIF', features: 'learnable gates' },
  {
    id: 'simplex-101',
    label: 'Exp · Uni · Hard',
    features: 'exponential leak, uniform integration, hard reset',
    bits: '101',
  },
];
const namer = variantNamer(variants);

describe('sorting the runs table', () => {
  const a = run({ name: 'Alpha', accuracy: 0.8 });
  const b = run({ name: 'beta', accuracy: null, status: 'running' });
  const c = run({ name: 'Gamma', accuracy: 0.9, status: 'failed' });
  const d = run({ name: 'delta', accuracy: 0.8 });
  const runs = [a, b, c, d];

  it('lists newest first by default', () => {
    expect(sortRuns(runs, DEFAULT_SORT, namer).map((r) => r.name)).toEqual([
      'delta',
      'Gamma',
      'beta',
      'Alpha',
    ]);
  });

  it('keeps runs without a value last in both directions, ties newest first', () => {
    const desc = sortRuns(runs, { column: 'result:testAccuracy', direction: 'desc' }, namer);
    expect(desc.map((r) => r.name)).toEqual(['Gamma', 'delta', 'Alpha', 'beta']);
    const asc = sortRuns(runs, { column: 'result:testAccuracy', direction: 'asc' }, namer);
    expect(asc.map((r) => r.name)).toEqual(['delta', 'Alpha', 'Gamma', 'beta']);
  });

  it('sorts names without regard to case and statuses by urgency', () => {
    expect(sortRuns(runs, { column: 'name', direction: 'asc' }, namer).map((r) => r.name)).toEqual([
      'Alpha',
      'beta',
      'delta',
      'Gamma',
    ]);
    expect(sortRuns(runs, { column: 'status', direction: 'asc' }, namer)[0].status).toBe('running');
  });

  it('does not reorder the array it was given', () => {
    sortRuns(runs, { column: 'name', direction: 'desc' }, namer);
    expect(runs).toEqual([a, b, c, d]);
  });

  it('flips the direction on a second click and starts results best first', () => {
    expect(nextSort(DEFAULT_SORT, 'name')).toEqual({ column: 'name', direction: 'asc' });
    expect(nextSort({ column: 'name', direction: 'asc' }, 'name')).toEqual({
      column: 'name',
      direction: 'desc',
    });
    expect(nextSort({ column: 'name', direction: 'asc' }, 'result:testAccuracy')).toEqual({
      column: 'result:testAccuracy',
      direction: 'desc',
    });
    expect(nextSort(DEFAULT_SORT, 'result:testLoss')).toEqual({
      column: 'result:testLoss',
      direction: 'asc',
    });
    expect(nextSort(DEFAULT_SORT, 'config:data.trainLimit')).toEqual({
      column: 'config:data.trainLimit',
      direction: 'asc',
    });
  });
});

describe('filtering the runs table', () => {
  const glif = run({ name: 'Baseline', tags: ['cifar10', 'paper'] });
  const simplex = run({
    name: 'Ablation cell',
    variant: 'simplex-101',
    status: 'failed',
    notes: 'diverged at epoch 3',
  });
  const runs = [glif, simplex];

  it('filters by status', () => {
    expect(filterRuns(runs, { status: 'failed', search: '' }, namer)).toEqual([simplex]);
    expect(filterRuns(runs, { status: 'all', search: '' }, namer)).toEqual(runs);
  });

  it('matches every word of the search in name, tags, notes or the variant bio-features', () => {
    expect(filterRuns(runs, { status: 'all', search: 'PAPER baseline' }, namer)).toEqual([glif]);
    expect(filterRuns(runs, { status: 'all', search: 'exp hard' }, namer)).toEqual([simplex]);
    expect(filterRuns(runs, { status: 'all', search: '101' }, namer)).toEqual([simplex]);
    expect(filterRuns(runs, { status: 'all', search: 'diverged' }, namer)).toEqual([simplex]);
    expect(filterRuns(runs, { status: 'all', search: 'baseline diverged' }, namer)).toEqual([]);
  });

  it('names variants by bio-features with the bit code, or by id when unknown', () => {
    expect(namer('simplex-101')).toBe('Exp · Uni · Hard (101)');
    expect(namer('glif')).toBe('GLIF');
    expect(namer('glif-hard')).toBe('glif-hard');
    expect(namer(null)).toBe('');
  });
});

describe('run list helpers', () => {
  it('reads tags from one text box', () => {
    expect(parseTags(' a, b ,, a,c ')).toEqual(['a', 'b', 'c']);
    expect(parseTags('')).toEqual([]);
  });

  it('replaces a row in place or puts a new one first', () => {
    const x = run({ name: 'x' });
    const y = run({ name: 'y' });
    const renamed = { ...x, name: 'x2' };
    expect(upsertRun([x, y], renamed)).toEqual([renamed, y]);
    const z = run({ name: 'z' });
    expect(upsertRun([x, y], z)).toEqual([z, x, y]);
  });

  it('counts runs by status', () => {
    const counts = countByStatus([run({ status: 'failed' }), run({}), run({ status: 'failed' })]);
    expect(counts.failed).toBe(2);
    expect(counts.completed).toBe(1);
    expect(counts.running).toBe(0);
  });
});

describe('live progress from training events', () => {
  const started = {
    runId: 'abc123',
    backend: 'wasm',
    startEpoch: 0,
    epochs: 4,
    stepsPerEpoch: 10,
    threads: 1,
    neuronImpl: 'fused' as const,
    trainSize: 320,
    testSize: 64,
    parameters: { total: 1, glif: 1, glifLayers: 1 },
    layers: ['lif1'],
  };

  it('moves through the epochs and keeps the last epoch results', () => {
    let progress = startedProgress(started, undefined);
    expect(progress.fraction).toBe(0);
    progress = steppedProgress(
      {
        runId: 'abc123',
        points: [],
        epoch: 1,
        step: 14,
        stepInEpoch: 4,
        stepsPerEpoch: 10,
        loss: 1,
        accuracy: 0.5,
        lr: 0.1,
        samplesPerSecond: 1,
        etaSeconds: 1,
      },
      progress,
      null,
    );
    expect(progress.fraction).toBeCloseTo((1 + 5 / 10) / 4);
    expect(progress.testAccuracy).toBeNull();
    progress = epochProgress(
      {
        runId: 'abc123',
        points: [],
        epoch: 1,
        step: 19,
        lr: 0.1,
        trainLoss: 1,
        trainAccuracy: 0.5,
        testLoss: 1,
        testAccuracy: 0.62,
        firingRates: { lif1: 0.1 },
        sopsPerSample: 1234,
        macsPerSample: 56,
        distributions: [],
        seconds: 1,
        numTensors: 10,
      },
      progress,
      null,
    );
    expect(progress.fraction).toBe(0.5);
    expect(progress.testAccuracy).toBe(0.62);
    expect(progress.sopsPerSample).toBe(1234);
  });

  it('uses the run’s own epoch count when the start event was missed', () => {
    const progress = steppedProgress(
      {
        runId: 'abc123',
        points: [],
        epoch: 0,
        step: 9,
        stepInEpoch: 9,
        stepsPerEpoch: 10,
        loss: 1,
        accuracy: 0.5,
        lr: 0.1,
        samplesPerSecond: 1,
        etaSeconds: 1,
      },
      undefined,
      2,
    );
    expect(progress.epochs).toBe(2);
    expect(progress.fraction).toBe(0.5);
  });

  const step = (epoch: number) => ({
    runId: 'abc123',
    points: [],
    epoch,
    step: epoch * 10,
    stepInEpoch: 0,
    stepsPerEpoch: 10,
    loss: 1,
    accuracy: 0.5,
    lr: 0.1,
    samplesPerSecond: 1,
    etaSeconds: 1,
  });

  it('starts from the stored state of a run that was training before the page opened', () => {
    const running = run({
      status: 'running',
      columns: { ...run({}).columns, epochs: 30 },
      progress: { epochsDone: 6, latestTestAccuracy: 0.71, bestTestAccuracy: 0.71, bestEpoch: 6 },
    });
    const stored = storedProgress(running);
    expect(stored).toMatchObject({ epoch: 6, epochs: 30, fraction: 6 / 30, testAccuracy: 0.71 });
    // The next step moves it on and keeps the stored accuracy until the epoch ends.
    const moved = steppedProgress(step(6), stored ?? undefined, 30);
    expect(moved).toMatchObject({ epoch: 6, epochs: 30, testAccuracy: 0.71 });
    expect(moved.fraction).toBeCloseTo(6.1 / 30);
  });

  it('never shows an epoch past the run’s epoch count', () => {
    // A progress built with a wrong count (the "7/4" of a 30-epoch run) gives way to the run's.
    const wrong = steppedProgress(step(6), { ...startedProgress(started, undefined), epochs: 4 }, 30);
    expect(wrong).toMatchObject({ epoch: 6, epochs: 30 });
    const past = steppedProgress(step(40), wrong, 30);
    expect(past.epoch + 1).toBe(30);
    expect(past.fraction).toBe(1);
    const finished = run({
      status: 'running',
      columns: { ...run({}).columns, epochs: 4 },
      progress: { epochsDone: 9, latestTestAccuracy: 0.5, bestTestAccuracy: 0.5, bestEpoch: 9 },
    });
    expect(storedProgress(finished)).toMatchObject({ epoch: 3, epochs: 4, fraction: 1 });
  });
});

describe('row button names', () => {
  it('names each run, with its id where names repeat and instead of an empty name', () => {
    const baseline = run({ name: 'GLIF baseline' });
    const twinA = run({ name: 'Quick smoke' });
    const twinB = run({ name: 'Quick smoke ' });
    const unnamed = run({ name: '  ' });
    const labels = runLabels([baseline, twinA, twinB, unnamed]);
    expect(labels.get(baseline.id)).toBe('GLIF baseline');
    expect(labels.get(twinA.id)).toBe(`Quick smoke (${twinA.id})`);
    expect(labels.get(twinB.id)).toBe(`Quick smoke (${twinB.id})`);
    expect(labels.get(unnamed.id)).toBe(unnamed.id);
    // Every row's buttons get a name of their own.
    expect(new Set(labels.values()).size).toBe(4);
  });
});
