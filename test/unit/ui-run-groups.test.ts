import { describe, expect, it } from 'vitest';
import { groupRuns, NONE_LABEL } from '../../src-renderer/src/lib/state/run-groups';
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
