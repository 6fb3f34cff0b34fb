/**
 * The Runs list grouped by neuron variant, preset or tag, with each group's mean ± std of the
 * final numbers: how an ablation or a sweep reads in a paper's table, without opening Compare.
 * Pure, for unit tests; RunGroups.svelte shows it.
 */
import type { RunSummary } from '../api/contract';
import { meanStd } from '../charts/series';
import type { VariantNamer } from './run-table';

export const GROUP_BY = [
  { id: 'none', label: 'No grouping' },
  { id: 'variant', label: 'Neuron variant' },
  { id: 'preset', label: 'Preset' },
  { id: 'tag', label: 'Tag' },
] as const;
export type GroupBy = (typeof GROUP_BY)[number]['id'];

export interface Stat {
  readonly mean: number;
  readonly std: number;
  /** Runs that have the number (finished ones, for finals). */
  readonly n: number;
}

export interface RunGroup {
  /** What the group's runs share, as shown (the variant's name, the preset id, the tag). */
  readonly label: string;
  /** A word to search the list for that shows the group's runs. */
  readonly search: string;
  readonly runIds: readonly string[];
  readonly accuracy: Stat | null;
  readonly sops: Stat | null;
  readonly durationMs: Stat | null;
}

/** Runs without a tag, or without a preset, are grouped under this. */
export const NONE_LABEL = '(none)';

/**
 * Groups in order of their first run in `runs` (the list's order). A run with several tags is in
 * each of their groups.
 */
export function groupRuns(runs: readonly RunSummary[], by: GroupBy, nameVariant: VariantNamer): RunGroup[] {
  if (by === 'none') return [];
  const members = new Map<string, { search: string; runs: RunSummary[] }>();
  const add = (label: string, search: string, run: RunSummary) => {
    const group = members.get(label) ?? { search, runs: [] };
    group.runs.push(run);
    members.set(label, group);
  };
  for (const run of runs) {
    if (by === 'variant') {
      const id = run.columns.variant;
      add(id === null ? NONE_LABEL : nameVariant(id) || id, id ?? '', run);
    } else if (by === 'preset') add(run.preset ?? NONE_LABEL, run.preset ?? '', run);
    else if (run.tags.length === 0) add(NONE_LABEL, '', run);
    else for (const tag of run.tags) add(tag, tag, run);
  }
  return [...members].map(([label, group]) => ({
    label,
    search: group.search,
    runIds: group.runs.map((r) => r.id),
    accuracy: meanStd(group.runs.map((r) => r.finals.finalTestAccuracy)),
    sops: meanStd(group.runs.map((r) => r.finals.energySops)),
    durationMs: meanStd(group.runs.map((r) => r.durationMs)),
  }));
}
