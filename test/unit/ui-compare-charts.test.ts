import { describe, expect, it } from 'vitest';
import type { RunComparison, RunSummary } from '../../src-renderer/src/lib/api/contract';
import type { DistributionEntry } from '../../src-renderer/src/lib/charts/distributions';
import type { XYSeries } from '../../src-renderer/src/lib/charts/series';
import {
  bestIndex,
  curveChart,
  finalRows,
  formatBestAccuracy,
  frozenDistributionNotes,
  groupStats,
  lastDistributionChart,
  plusMinus,
  SEED_COLUMNS,
} from '../../src-renderer/src/lib/state/compare-charts';
import { runLabels } from '../../src-renderer/src/lib/state/run-table';
import { runSummary } from '../helpers/run-summary';

function run(
  id: string,
  seed: number,
  finals: Partial<RunSummary['finals']> = {},
  best: [number, number] | null = null,
): RunSummary {
  return runSummary({
    id,
    name: `run ${id}`,
    durationMs: 60_000,
    columns: { epochs: 3, seed },
    finals,
    progress: {
      epochsDone: 3,
      latestTestAccuracy: finals.finalTestAccuracy ?? null,
      bestTestAccuracy: best?.[0] ?? null,
      bestEpoch: best?.[1] ?? null,
    },
  });
}

// Three seeds of one config (a, b, c) and one run of another config (d). Test accuracy per epoch:
// at epoch 1 the seeds read 0.5, 0.6, 0.7 (mean 0.6, sample std 0.1); c has no epoch 3 yet.
// Best test accuracy (epoch): a 0.85 (2), b 0.9 (3), c 0.9 (2), d none stored (its best is unknown).
const runs = [
  run('a', 1, { finalTestAccuracy: 0.8, finalTestLoss: 0.5, energySops: 1000 }, [0.85, 2]),
  run('b', 2, { finalTestAccuracy: 0.9, finalTestLoss: 0.3, energySops: 3000 }, [0.9, 3]),
  run('c', 3, { finalTestAccuracy: 0.7, finalTestLoss: null, energySops: 2000 }, [0.9, 2]),
  run('d', 1, { finalTestAccuracy: 0.95, finalTestLoss: 0.2, energySops: 5000 }),
];
const curves: Record<string, XYSeries> = {
  a: { x: [1, 2, 3], y: [0.5, 0.7, 0.8] },
  b: { x: [1, 2, 3], y: [0.6, 0.8, 0.9] },
  c: { x: [1, 2], y: [0.7, 0.9] },
  d: { x: [1, 2, 3], y: [0.4, 0.6, 0.95] },
};
const groups = [{ runIds: ['a', 'b', 'c'], seeds: [1, 2, 3] }];
const colors: Record<string, string> = { a: '#1d4f91', b: '#b35c00', c: '#1f7a45', d: '#8e3fa8' };
const input = {
  runs,
  groups,
  curveOf: (id: string) => curves[id] ?? { x: [], y: [] },
  colorOf: (id: string) => colors[id] ?? '#000000',
};

describe('the Compare curves', () => {
  it('draws one curve per run, aligned on the epochs, when seeds are not aggregated', () => {
    const chart = curveChart({ ...input, aggregateSeeds: false });
    expect(chart.series.map((s) => s.label)).toEqual(['run a', 'run b', 'run c', 'run d']);
    expect(chart.series.map((s) => s.color)).toEqual(['#1d4f91', '#b35c00', '#1f7a45', '#8e3fa8']);
    expect(chart.bands).toEqual([]);
    expect(chart.columns).toEqual([
      [1, 2, 3],
      [0.5, 0.7, 0.8],
      [0.6, 0.8, 0.9],
      [0.7, 0.9, null],
      [0.4, 0.6, 0.95],
    ]);
  });

  it('draws a seed group as its mean with a ± std band, and the ungrouped runs alone', () => {
    const chart = curveChart({ ...input, aggregateSeeds: true });
    expect(chart.series.map((s) => s.label)).toEqual([
      'group 1 +std',
      'group 1 -std',
      'run a (mean of 3 seeds)',
      'run d',
    ]);
    expect(chart.series.slice(0, 3).map((s) => s.color)).toEqual(['#1d4f91', '#1d4f91', '#1d4f91']);
    expect(chart.series[0]?.bandEdge).toBe(true);
    expect(chart.series[2]?.bandEdge).toBeUndefined();
    expect(chart.bands).toEqual([{ upper: 0, lower: 1, fill: 'rgba(29, 79, 145, 0.18)' }]);

    const [x, upper, lower, mean, alone] = chart.columns;
    expect(x).toEqual([1, 2, 3]);
    // Epochs 1 and 2: three seeds each, mean 0.6 / 0.8, sample std 0.1. Epoch 3: a and b only,
    // mean 0.85, std sqrt(0.005).
    const std3 = Math.sqrt(0.005);
    expect(mean).toEqual([expect.closeTo(0.6, 12), expect.closeTo(0.8, 12), expect.closeTo(0.85, 12)]);
    expect(upper).toEqual([
      expect.closeTo(0.7, 12),
      expect.closeTo(0.9, 12),
      expect.closeTo(0.85 + std3, 12),
    ]);
    expect(lower).toEqual([
      expect.closeTo(0.5, 12),
      expect.closeTo(0.7, 12),
      expect.closeTo(0.85 - std3, 12),
    ]);
    expect(alone).toEqual([0.4, 0.6, 0.95]);
  });

  it('stays empty before any run has finished an epoch', () => {
    const chart = curveChart({ ...input, curveOf: () => ({ x: [], y: [] }), aggregateSeeds: true });
    expect(chart.columns).toEqual([[], [], [], [], []]);
  });
});

describe('the Compare distributions', () => {
  const entry = (epoch: number, counts: number[]): DistributionEntry => ({
    epoch,
    layer: 'fc1',
    quantity: 'alpha',
    stats: { count: 4, mean: 0, std: 0, min: 0, max: 1, p05: 0, p25: 0, p50: 0, p75: 0, p95: 0 },
    histogram: { lo: 0, hi: 1, counts },
  });

  it("overlays each run's last recorded epoch and leaves out runs without one", () => {
    const distributions = new Map([
      ['a', [entry(1, [1, 3]), entry(0, [4, 0])]],
      ['b', []],
      ['c', [entry(0, [2, 2])]],
    ]);
    const chart = lastDistributionChart(runs, distributions, input.colorOf);
    expect(chart.series.map((s) => s.label)).toEqual(['run a (epoch 2)', 'run c (epoch 1)']);
    expect(chart.series[0]?.stepped).toBe(true);
    // Densities (share per unit, bins 0.5 wide), so runs with different bins compare.
    expect(chart.columns).toEqual([
      [0, 0.5, 1],
      [0.5, 1.5, 0],
      [1, 1, 0],
    ]);
  });

  it('names a gate a run never trains instead of overlaying its constant', () => {
    const simplex = runSummary({
      id: 's',
      name: 'Exp leak, hard reset',
      columns: { variant: 'simplex-101' },
    });
    const held = (epoch: number): DistributionEntry => ({
      ...entry(epoch, [64]),
      stats: { ...entry(epoch, [64]).stats, min: 1, max: 1 },
      histogram: { lo: 1, hi: 1, counts: [64] },
    });
    const distributions = new Map([
      ['a', [entry(0, [1, 3])]],
      ['s', [held(0), held(1)]],
    ]);
    const both = [runs[0]!, simplex];
    const chart = lastDistributionChart(both, distributions, () => '#1d4f91');
    expect(chart.series.map((s) => s.label)).toEqual(['run a (epoch 1)']);
    expect(frozenDistributionNotes(both, distributions)).toEqual([
      'Exp leak, hard reset: α is fixed at 1 in this variant (simplex-101: exponential leak): not trained.',
    ]);
  });
});

describe('the Compare tables', () => {
  const comparison: RunComparison = {
    runs,
    configDiff: [],
    finals: runs.map((r) => ({
      runId: r.id,
      durationMs: r.durationMs,
      ...r.finals,
      bestTestAccuracy: r.progress.bestTestAccuracy,
      bestEpoch: r.progress.bestEpoch,
    })),
    seedGroups: groups,
  };

  it('lists the final metrics per run and marks the best in the right direction', () => {
    const rows = finalRows(comparison);
    const byLabel = new Map(rows.map((row) => [row.label, row]));
    const accuracy = byLabel.get('Test accuracy')!;
    expect(accuracy.values).toEqual([0.8, 0.9, 0.7, 0.95]);
    expect(bestIndex(accuracy)).toBe(3);
    // Lower is better; a run without the number is never the best.
    const loss = byLabel.get('Test loss')!;
    expect(loss.values).toEqual([0.5, 0.3, null, 0.2]);
    expect(bestIndex(loss)).toBe(3);
    expect(bestIndex(byLabel.get('SOPs per sample')!)).toBe(0);
    // Rows without a direction mark nothing.
    expect(bestIndex(byLabel.get('Training time')!)).toBe(-1);
  });

  it("shows each run's best test accuracy with its epoch beside the last epoch's", () => {
    const rows = finalRows(comparison);
    expect(rows.map((row) => row.label).slice(0, 2)).toEqual(['Test accuracy', 'Best test accuracy']);
    const best = rows[1]!;
    expect(best.values).toEqual([0.85, 0.9, 0.9, null]);
    expect(best.values.map((v, i) => best.format(v, i))).toEqual([
      '85.00 % (epoch 2)',
      '90.00 % (epoch 3)',
      '90.00 % (epoch 2)',
      '—',
    ]);
    // The first of equals is marked: b, though c reached 90 % at an earlier epoch of its own.
    expect(bestIndex(best)).toBe(1);
    expect(formatBestAccuracy(0.912, 7)).toBe('91.20 % (epoch 7)');
    expect(formatBestAccuracy(Number.NaN, 7)).toBe('—');
  });

  it("gives a seed group's mean ± std of each run's own best test accuracy", () => {
    const column = SEED_COLUMNS.find((c) => c.label === 'best test accuracy')!;
    const stats = groupStats(runs, ['a', 'b', 'c'], column.pick);
    // 0.85, 0.9, 0.9: mean 0.8833…, sample std 0.0288…; the last epochs' mean is 0.8.
    expect(stats?.mean).toBeCloseTo(2.65 / 3, 12);
    expect(stats?.std).toBeCloseTo(Math.sqrt((0.05 ** 2 * (4 / 9 + 1 / 9 + 1 / 9)) / 2), 12);
    expect(plusMinus(stats, column.format)).toBe('88.33 % ± 2.89 %');
    expect(SEED_COLUMNS.map((c) => c.label).slice(0, 2)).toEqual(['test accuracy', 'best test accuracy']);
  });

  it("gives a seed group's mean ± std of a final number over the runs that have it", () => {
    const accuracy = groupStats(runs, ['a', 'b', 'c'], (r) => r.finals.finalTestAccuracy);
    expect(accuracy?.mean).toBeCloseTo(0.8, 12);
    expect(accuracy?.std).toBeCloseTo(0.1, 12);
    expect(accuracy?.n).toBe(3);
    const loss = groupStats(runs, ['a', 'b', 'c'], (r) => r.finals.finalTestLoss);
    expect(loss?.mean).toBeCloseTo(0.4, 12);
    expect(loss?.n).toBe(2);
    expect(groupStats(runs, ['a', 'b'], (r) => r.finals.finalTrainLoss)).toBeNull();
    expect(plusMinus({ mean: 0.8, std: 0.1 }, (v) => v.toFixed(2))).toBe('0.80 ± 0.10');
    expect(plusMinus(null, (v) => v.toFixed(2))).toBe('—');
  });
});

describe('Compare with same-name runs and per-step curves', () => {
  const twins = [
    runSummary({ id: 'r00000000aaaaaa1', name: 'fmnist-cnn', columns: { seed: 1 } }),
    runSummary({ id: 'r00000000bbbbbb2', name: 'fmnist-cnn', columns: { seed: 2 } }),
    runSummary({ id: 'r00000000cccccc3', name: 'wide', columns: { seed: 1 } }),
  ];
  const steps: Record<string, XYSeries> = {
    r00000000aaaaaa1: { x: [1, 2, 3, 4], y: [2, 1, 2, 1] },
    r00000000bbbbbb2: { x: [1, 2, 3, 4], y: [3, 3, 3, 3] },
    r00000000cccccc3: { x: [2, 4], y: [1, 0.5] },
  };
  const base = {
    runs: twins,
    groups: [],
    aggregateSeeds: false,
    curveOf: (id: string) => steps[id] ?? { x: [], y: [] },
    colorOf: () => '#1d4f91',
  };

  it('tells runs with one name apart by their ids, as the Runs list does, and leaves unique names alone', () => {
    expect(runLabels(twins)).toEqual(
      new Map([
        ['r00000000aaaaaa1', 'fmnist-cnn (r00000000aaaaaa1)'],
        ['r00000000bbbbbb2', 'fmnist-cnn (r00000000bbbbbb2)'],
        ['r00000000cccccc3', 'wide'],
      ]),
    );
    expect(curveChart(base).series.map((s) => s.label)).toEqual([
      'fmnist-cnn (r00000000aaaaaa1)',
      'fmnist-cnn (r00000000bbbbbb2)',
      'wide',
    ]);
  });

  it('draws each run smoothed, over its raw line kept faint and out of the legend', () => {
    const chart = curveChart({ ...base, smoothing: 0.5 });
    expect(chart.series.map((s) => [s.label, s.unlisted ?? false])).toEqual([
      ['fmnist-cnn (r00000000aaaaaa1) (raw)', true],
      ['fmnist-cnn (r00000000aaaaaa1)', false],
      ['fmnist-cnn (r00000000bbbbbb2) (raw)', true],
      ['fmnist-cnn (r00000000bbbbbb2)', false],
      ['wide (raw)', true],
      ['wide', false],
    ]);
    expect(chart.series[0]!.color).toBe('rgba(29, 79, 145, 0.25)');
    const [x, rawA, smoothA, rawB, smoothB] = chart.columns;
    expect(x).toEqual([1, 2, 3, 4]);
    expect(rawA).toEqual([2, 1, 2, 1]);
    // Debiased EMA of weight 0.5: 2, (0.5*2*0.5+0.5*1)/0.75 = 4/3, ...; a constant stays constant.
    expect(smoothA![0]).toBeCloseTo(2);
    expect(smoothA![1]).toBeCloseTo(4 / 3);
    expect(smoothA![3]).toBeLessThan(2);
    expect(smoothA![3]).toBeGreaterThan(1);
    expect(rawB).toEqual([3, 3, 3, 3]);
    expect(smoothB).toEqual([3, 3, 3, 3]);
  });
});
