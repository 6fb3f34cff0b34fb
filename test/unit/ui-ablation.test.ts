import { describe, expect, it } from 'vitest';
import type { MetricSeries, RunStatus, RunSummary } from '../../src-renderer/src/lib/api/contract';
import {
  ABLATION_REPORT_STORAGE_KEY,
  bestAccuracyVariant,
  bestEpochNote,
  buildAblationRows,
  groupCreatedAt,
  lastEpochFiringRate,
  meanOfRates,
  parseAblationReport,
  parseSeeds,
  seedRange,
  seedStat,
  variantRank,
  type RunExtras,
} from '../../src-renderer/src/lib/state/ablation';
import { CONFIG_FIELDS } from '../../src-main/engine/config/fields';
import { describeVariant, VARIANT_IDS } from '../../src-main/engine/glif/variants';
import { runSummary } from '../helpers/run-summary';

const variants = VARIANT_IDS.map(describeVariant);
let seq = 0;

function cell(
  variant: string,
  seed: number,
  status: RunStatus,
  accuracy: number | null,
  energy: number | null = null,
): RunSummary {
  seq++;
  return runSummary({
    id: `run${String(seq).padStart(4, '0')}`,
    name: `${variant} seed ${seed}`,
    status,
    createdAt: 1_000 + seq,
    tags: ['ablation-abc', 'ablation'],
    columns: { variant, epochs: 1, seed },
    finals: { finalTestAccuracy: accuracy, energyMicrojoules: energy },
  });
}

describe('ablation rows', () => {
  it('orders variants as the paper: simplex 000..111, then GLIF, GLIF_f, static gates', () => {
    const ids = ['glif-static', 'glif', 'simplex-111', 'glif-f', 'simplex-000', 'simplex-010'];
    expect([...ids].sort((a, b) => variantRank(a) - variantRank(b))).toEqual([
      'simplex-000',
      'simplex-010',
      'simplex-111',
      'glif',
      'glif-f',
      'glif-static',
    ]);
  });

  it('reports mean ± sample std over completed seeds, labelled by bio-features and bits', () => {
    const runs = [
      cell('glif', 1, 'completed', 0.8, 100),
      cell('glif', 2, 'completed', 0.9, 300),
      cell('simplex-101', 1, 'completed', 0.7, 50),
      cell('simplex-101', 2, 'running', null),
    ];
    const rows = buildAblationRows(runs, () => undefined, variants);
    expect(rows.map((r) => r.variantId)).toEqual(['simplex-101', 'glif']);
    const [simplex, glif] = rows;
    expect(simplex.label).toBe('Exp · Uni · Hard');
    expect(simplex.bits).toBe('101');
    expect(simplex.accuracy).toEqual({ mean: 0.7, std: null, n: 1 });
    expect(simplex.statusCounts).toEqual({ completed: 1, running: 1 });
    expect(glif.accuracy?.mean).toBeCloseTo(0.85);
    expect(glif.accuracy?.std).toBeCloseTo(Math.sqrt(0.005));
    expect(glif.energy?.mean).toBe(200);
    expect(bestAccuracyVariant(rows)).toBe('glif');
  });

  it("reports each cell's best epoch instead of its last when asked, as the paper's tables do", () => {
    const best = (run: RunSummary, accuracy: number, epoch: number): RunSummary => ({
      ...run,
      progress: { ...run.progress, bestTestAccuracy: accuracy, bestEpoch: epoch },
    });
    const runs = [
      best(cell('glif', 1, 'completed', 0.8), 0.86, 3),
      best(cell('glif', 2, 'completed', 0.9), 0.9, 5),
      best(cell('simplex-101', 1, 'completed', 0.82), 0.95, 2),
    ];
    const last = buildAblationRows(runs, () => undefined, variants);
    expect(last.find((r) => r.variantId === 'glif')?.accuracy?.mean).toBeCloseTo(0.85);
    expect(bestAccuracyVariant(last)).toBe('glif');
    const bestRows = buildAblationRows(runs, () => undefined, variants, 'best');
    expect(bestRows.find((r) => r.variantId === 'glif')?.accuracy?.mean).toBeCloseTo(0.88);
    expect(bestRows.find((r) => r.variantId === 'simplex-101')?.accuracy).toEqual({
      mean: 0.95,
      std: null,
      n: 1,
    });
    // Each best-mode value carries the epoch (1-based) each seed reached it at; last mode has none.
    const glifBest = bestRows.find((r) => r.variantId === 'glif')!;
    expect(glifBest.bestEpochs).toEqual([
      { seed: 1, epoch: 3 },
      { seed: 2, epoch: 5 },
    ]);
    expect(bestEpochNote(glifBest.bestEpochs, true)).toEqual({
      text: 'ep 3, 5',
      title: 'Best test accuracy per seed at seed 1: epoch 3, seed 2: epoch 5',
    });
    const simplexBest = bestRows.find((r) => r.variantId === 'simplex-101')!;
    expect(bestEpochNote(simplexBest.bestEpochs, false)).toEqual({
      text: 'ep 2',
      title: 'Best test accuracy at epoch 2',
    });
    expect(last.every((r) => r.bestEpochs.length === 0)).toBe(true);
    expect(bestEpochNote([], false)).toBeNull();
  });

  it('leaves out of the best epochs a cell without a stored best, and cells still training', () => {
    const withBest = {
      ...cell('glif', 1, 'completed', 0.8),
      progress: { epochsDone: 1, latestTestAccuracy: 0.8, bestTestAccuracy: 0.8, bestEpoch: 1 },
    };
    const runs = [withBest, cell('glif', 2, 'completed', 0.7), cell('glif', 3, 'running', null)];
    const [row] = buildAblationRows(runs, () => undefined, variants, 'best');
    expect(row!.bestEpochs).toEqual([{ seed: 1, epoch: 1 }]);
  });

  it('reads a stored last/best choice back, and nothing else', () => {
    expect(parseAblationReport('best')).toBe('best');
    expect(parseAblationReport('last')).toBe('last');
    expect(parseAblationReport(null)).toBeNull();
    expect(parseAblationReport('Best')).toBeNull();
    expect(ABLATION_REPORT_STORAGE_KEY).toMatch(/^glif\./);
  });

  it('lets a rerun replace the failed cell of the same variant and seed', () => {
    const failed = cell('simplex-000', 9, 'failed', null);
    const rerun = cell('simplex-000', 9, 'completed', 0.6);
    const rows = buildAblationRows([failed, rerun], () => undefined, variants);
    expect(rows).toHaveLength(1);
    expect(rows[0].cells).toHaveLength(1);
    expect(rows[0].cells[0].run.id).toBe(rerun.id);
    expect(rows[0].cells[0].superseded).toBe(1);
    expect(rows[0].accuracy?.mean).toBe(0.6);
  });

  it('shows live numbers of a variant still training until a seed completes', () => {
    const running = cell('glif', 1, 'running', null);
    const extras = new Map<string, RunExtras>([
      [running.id, { firingRate: 0.12, liveAccuracy: 0.4, liveEnergy: 900 }],
    ]);
    const [row] = buildAblationRows([running], (id) => extras.get(id), variants);
    expect(row.accuracy).toBeNull();
    expect(row.liveAccuracy).toBe(0.4);
    expect(row.firingRate?.mean).toBe(0.12);
    expect(row.energy?.mean).toBe(900);
    expect(bestAccuracyVariant([row])).toBeNull();
  });
});

describe('firing rate of the last epoch', () => {
  const series = (name: string, points: Array<[epoch: number, value: number]>): MetricSeries => ({
    name,
    points: points.map(([epoch, value], step) => ({ step, epoch, value })),
    totalPoints: points.length,
    downsampled: false,
  });

  it('averages the layers at the last recorded epoch and ignores other metrics', () => {
    const rate = lastEpochFiringRate([
      series('firing_rate/lif1', [
        [0, 0.5],
        [1, 0.2],
      ]),
      series('firing_rate/lif2', [
        [0, 0.5],
        [1, 0.4],
      ]),
      series('epoch/test_accuracy', [
        [0, 0.9],
        [1, 0.95],
      ]),
    ]);
    expect(rate).toBeCloseTo(0.3);
    expect(lastEpochFiringRate([series('epoch/test_accuracy', [[0, 1]])])).toBeNull();
    expect(meanOfRates({ a: 0.1, b: 0.3 })).toBeCloseTo(0.2);
    expect(meanOfRates({})).toBeNull();
  });

  it('computes sample statistics and skips non-finite values', () => {
    expect(seedStat([])).toBeNull();
    expect(seedStat([1, Number.NaN])).toEqual({ mean: 1, std: null, n: 1 });
    expect(seedStat([1, 3])?.std).toBeCloseTo(Math.SQRT2);
  });
});

describe('seeds and groups', () => {
  const range = seedRange(CONFIG_FIELDS);

  it("takes the seed range from the schema's train.seed field", () => {
    expect(range).toEqual({ min: 0, max: 2 ** 32 - 1 });
    const narrow = CONFIG_FIELDS.map((field) =>
      field.key === 'train.seed' ? { ...field, kind: { type: 'int' as const, min: 1, max: 99 } } : field,
    );
    expect(seedRange(narrow)).toEqual({ min: 1, max: 99 });
  });

  it('reads seeds separated by commas or spaces, without duplicates', () => {
    expect(parseSeeds('1, 2 3,2', range)).toEqual({ ok: true, seeds: [1, 2, 3] });
    expect(parseSeeds('9', range)).toEqual({ ok: true, seeds: [9] });
    expect(parseSeeds(String(2 ** 32 - 1), range)).toEqual({ ok: true, seeds: [2 ** 32 - 1] });
  });

  it('refuses what the host would refuse, with a reason', () => {
    for (const text of ['', '  ', '1, x', '-1', '1.5', '1e3', String(2 ** 32), '1,2,3,4,5,6,7,8,9,10,11']) {
      const parsed = parseSeeds(text, range);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.message.length).toBeGreaterThan(10);
    }
  });

  it('names every bad entry and the allowed range', () => {
    const parsed = parseSeeds('x, 3, 99999999999, x', range);
    expect(parsed).toEqual({
      ok: false,
      message: '“x”, “99999999999” are not seeds; seeds are whole numbers from 0 to 4,294,967,295.',
    });
  });

  it('holds seeds to the range the schema gives, not a fixed one', () => {
    const parsed = parseSeeds('0, 5, 100', { min: 1, max: 99 });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.message).toBe('“0”, “100” are not seeds; seeds are whole numbers from 1 to 99.');
  });

  it('reads when a group was queued from its id', () => {
    const at = Date.UTC(2025, 10, 23, 9, 45);
    expect(groupCreatedAt(`ablation-${at.toString(36)}`)).toBe(at);
    expect(groupCreatedAt('something-else')).toBeNull();
  });
});
