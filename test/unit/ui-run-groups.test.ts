import { describe, expect, it } from 'vitest';
import { formatDate } from '../../src-renderer/src/lib/components/format';
import { groupRuns, NO_GRID_LABEL, NONE_LABEL } from '../../src-renderer/src/lib/state/run-groups';
import { runSummary } from '../helpers/run-summary';

const names: Record<string, string> = { glif: 'GLIF', 'simplex-101': 'Exp · Uni · Hard' };
const nameVariant = (id: string | null) => (id === null ? '' : (names[id] ?? id));

const runs = [
  runSummary({
    id: 'a',
    preset: 'fmnist-cnn',
    tags: ['sweep'],
    columns: { variant: 'glif' },
    finals: { finalTestAccuracy: 0.7, energySops: 100 },
    durationMs: 1000,
  }),
  runSummary({
    id: 'b',
    preset: 'fmnist-cnn',
    tags: ['sweep', 'paper'],
    columns: { variant: 'glif' },
    finals: { finalTestAccuracy: 0.8, energySops: 300 },
    durationMs: 3000,
  }),
  runSummary({
    id: 'c',
    preset: 'synthetic-mlp',
    tags: [],
    columns: { variant: 'simplex-101' },
    finals: { finalTestAccuracy: null, energySops: null },
    durationMs: 500,
  }),
];

describe('the Runs list grouped', () => {
  it('by variant: the mean ± std of the finished runs, the names the list shows', () => {
    const groups = groupRuns(runs, 'variant', nameVariant);
    expect(groups.map((g) => [g.label, g.search, g.runIds])).toEqual([
      ['GLIF', 'glif', ['a', 'b']],
      ['Exp · Uni · Hard', 'simplex-101', ['c']],
    ]);
    expect(groups[0]!.accuracy!.mean).toBeCloseTo(0.75);
    expect(groups[0]!.accuracy!.std).toBeCloseTo(Math.SQRT1_2 * 0.1);
    expect(groups[0]!.accuracy!.n).toBe(2);
    expect(groups[0]!.sops!.mean).toBe(200);
    // A run still training (no final accuracy) counts in the group, not in its mean.
    expect(groups[1]!.accuracy).toBeNull();
    expect(groups[1]!.durationMs!.mean).toBe(500);
  });

  it('by tag: a run is in every one of its tags, untagged runs together', () => {
    const groups = groupRuns(runs, 'tag', nameVariant);
    expect(groups.map((g) => [g.label, g.runIds])).toEqual([
      ['sweep', ['a', 'b']],
      ['paper', ['b']],
      [NONE_LABEL, ['c']],
    ]);
  });

  it('by preset, and not at all', () => {
    expect(groupRuns(runs, 'preset', nameVariant).map((g) => g.label)).toEqual([
      'fmnist-cnn',
      'synthetic-mlp',
    ]);
    expect(groupRuns(runs, 'none', nameVariant)).toEqual([]);
  });
});

describe('the Runs list grouped by ablation grid', () => {
  const T0 = Date.UTC(2026, 4, 12, 14, 3);
  const cell = (id: string, grid: string, seed: number, createdAt: number, accuracy: number | null) =>
    runSummary({
      id,
      preset: 'synthetic-mlp',
      tags: ['ablation', grid],
      createdAt,
      columns: { seed },
      finals: { finalTestAccuracy: accuracy },
    });
  const gridA = 'ablation-mp2abc00';
  const gridB = 'ablation-mp2abd00';
  const grouped = [
    cell('a1', gridA, 1, T0, 0.6),
    runSummary({ id: 'loose', tags: ['ablation-study'], preset: 'fmnist-cnn' }),
    cell('b1', gridB, 5, T0 + 3_600_000, 0.9),
    cell('a2', gridA, 2, T0 + 5, 0.8),
    // A rerun of a cell of grid A, later: it keeps the grid's tags.
    cell('a3', gridA, 2, T0 + 60_000, null),
  ];

  it('puts the runs of one grid together, named by preset, date and seeds, the rest last', () => {
    const groups = groupRuns(grouped, 'grid', nameVariant);
    expect(groups.map((g) => [g.key, g.label, g.search, g.runIds])).toEqual([
      [gridA, `synthetic-mlp · ${formatDate(T0)} · seeds 1, 2`, gridA, ['a1', 'a2', 'a3']],
      [gridB, `synthetic-mlp · ${formatDate(T0 + 3_600_000)} · seed 5`, gridB, ['b1']],
      // A user's tag that looks like a grid's, without `ablation`, is no grid.
      [NO_GRID_LABEL, NO_GRID_LABEL, '', ['loose']],
    ]);
    expect(groups[0]!.accuracy).toMatchObject({ mean: 0.7, n: 2 });
  });

  it('tells apart two grids that would read the same', () => {
    const twins = [cell('x', gridA, 1, T0, null), cell('y', gridB, 1, T0 + 1, null)];
    const labels = groupRuns(twins, 'grid', nameVariant).map((g) => g.label);
    expect(labels).toEqual([
      `synthetic-mlp · ${formatDate(T0)} · seed 1 · ${gridA}`,
      `synthetic-mlp · ${formatDate(T0 + 1)} · seed 1 · ${gridB}`,
    ]);
  });
});
