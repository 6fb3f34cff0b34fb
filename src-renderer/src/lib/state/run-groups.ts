/**
 * The Runs list grouped by neuron variant, preset, tag or ablation grid, with each group's mean ± std of the
 * final numbers: how an ablation or a sweep reads in a paper's table, without opening Compare.
 * Pure, for unit tests; RunGroups.svelte shows it.
 */
import type { RunSummary } from '../api/contract';
import { meanStd } from '../charts/series';
import { formatDate } from '../components/format';
import type { VariantNamer } from './run-table';

export const GROUP_BY = [
  { id: 'none', label: 'No grouping' },
  { id: 'variant', label: 'Neuron variant' },
  { id: 'preset', label: 'Preset' },
  { id: 'tag', label: 'Tag' },
  { id: 'grid', label: 'Ablation grid' },
] as const;
export type GroupBy = (typeof GROUP_BY)[number]['id'];

export interface Stat {
  readonly mean: number;
  readonly std: number;
  /** Runs that have the number (finished ones, for finals). */
  readonly n: number;
}

export interface RunGroup {
  /** Tells groups apart (two grids may read the same). */
  readonly key: string;
  /** What the group's runs share, as shown (the variant's name, the preset id, the tag, the grid). */
  readonly label: string;
  /** A word to search the list for that shows the group's runs. */
  readonly search: string;
  readonly runIds: readonly string[];
  readonly accuracy: Stat | null;
  readonly sops: Stat | null;
  /** Estimated energy per sample, µJ (SOPs and MACs at the 45 nm figures). */
  readonly energy: Stat | null;
  readonly durationMs: Stat | null;
}

/** Runs without a tag, or without a preset, are grouped under this. */
export const NONE_LABEL = '(none)';

/** Runs the Ablation form did not queue, grouped by grid. */
export const NO_GRID_LABEL = 'Not in a grid';

/**
 * The grid a run was queued in. The Ablation form tags each of its runs `ablation` and
 * `ablation-<base36 ms>`, and `ablation.list` reads grids from those tags the same way; a rerun of
 * a cell keeps its tags, so it stays in its grid.
 */
export function gridOf(run: RunSummary): string | null {
  if (!run.tags.includes('ablation')) return null;
  return run.tags.find((tag) => tag.startsWith('ablation-')) ?? null;
}

/** "synthetic-mlp · 12 May, 14:03 · seeds 1, 2": the grid's preset, when it was queued, its seeds. */
export function gridLabel(runs: readonly RunSummary[]): string {
  const presets = [...new Set(runs.map((run) => run.preset ?? 'custom'))];
  // Its first run's creation (a rerun of a cell is newer): the id's own time can be a user's tag.
  const queuedAt = Math.min(...runs.map((run) => run.createdAt));
  const seeds = [
    ...new Set(runs.flatMap((run) => (run.columns.seed === null ? [] : [run.columns.seed]))),
  ].sort((a, b) => a - b);
  const seedText = seeds.length === 0 ? [] : [`${seeds.length === 1 ? 'seed' : 'seeds'} ${seeds.join(', ')}`];
  return [presets.join(', '), formatDate(queuedAt), ...seedText].join(' · ');
}

/**
 * Groups in order of their first run in `runs` (the list's order). A run with several tags is in
 * each of their groups.
 */
export function groupRuns(runs: readonly RunSummary[], by: GroupBy, nameVariant: VariantNamer): RunGroup[] {
  if (by === 'none') return [];
  const members = new Map<string, { label: string; search: string; runs: RunSummary[] }>();
  const add = (key: string, label: string, search: string, run: RunSummary) => {
    const group = members.get(key) ?? { label, search, runs: [] };
    group.runs.push(run);
    members.set(key, group);
  };
  for (const run of runs) {
    if (by === 'variant') {
      const id = run.columns.variant;
      const label = id === null ? NONE_LABEL : nameVariant(id) || id;
      add(label, label, id ?? '', run);
    } else if (by === 'preset')
      add(run.preset ?? NONE_LABEL, run.preset ?? NONE_LABEL, run.preset ?? '', run);
    else if (by === 'grid') {
      const grid = gridOf(run);
      // The grid's label needs all its runs: set once they are all in.
      add(grid ?? NO_GRID_LABEL, grid === null ? NO_GRID_LABEL : '', grid ?? '', run);
    } else if (run.tags.length === 0) add(NONE_LABEL, NONE_LABEL, '', run);
    else for (const tag of run.tags) add(tag, tag, tag, run);
  }
  if (by === 'grid') {
    const grids = [...members].filter(([, group]) => group.label === '');
    for (const [, group] of grids) group.label = gridLabel(group.runs);
    // Two grids of one preset and seeds queued in the same minute: their ids tell them apart.
    const count = new Map<string, number>();
    for (const [, group] of grids) count.set(group.label, (count.get(group.label) ?? 0) + 1);
    for (const [key, group] of grids) if (count.get(group.label)! > 1) group.label += ` · ${key}`;
    // Grids listed before the runs in none, which read as the rest.
    const rest = members.get(NO_GRID_LABEL);
    if (rest) {
      members.delete(NO_GRID_LABEL);
      members.set(NO_GRID_LABEL, rest);
    }
  }
  return [...members].map(([key, group]) => ({
    key,
    label: group.label,
    search: group.search,
    runIds: group.runs.map((r) => r.id),
    accuracy: meanStd(group.runs.map((r) => r.finals.finalTestAccuracy)),
    sops: meanStd(group.runs.map((r) => r.finals.energySops)),
    energy: meanStd(group.runs.map((r) => r.finals.energyMicrojoules)),
    durationMs: meanStd(group.runs.map((r) => r.durationMs)),
  }));
}
