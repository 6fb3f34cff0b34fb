/**
 * Ablation grids (the paper's Tables 4-6 as the workbench runs them): which variants a grid
 * trains, and the grids recorded in the store, told apart by their `ablation-<id>` tag.
 */
import type { AblationGridVariants } from '../contract/config';
import type { AblationGroup } from '../contract/runs';
import { VARIANT_IDS, type VariantId } from '../engine/glif/variants';
import type { RunSummary } from '../runs/store/types';

/** An ablation grid's variants: the eight simplex LIFs and GLIF, and the two it may add. */
export const ABLATION_GRID: AblationGridVariants = {
  base: [...VARIANT_IDS.filter((v) => v.startsWith('simplex-')), 'glif'],
  glifF: 'glif-f',
  staticGates: 'glif-static',
};

/** The variants of an ablation grid: the eight simplex LIFs and GLIF, optionally GLIF_f and static gates. */
export function ablationVariants(includeGlifF: boolean, includeStatic: boolean): VariantId[] {
  const out = [...ABLATION_GRID.base];
  if (includeGlifF) out.push(ABLATION_GRID.glifF);
  if (includeStatic) out.push(ABLATION_GRID.staticGates);
  return out;
}

/**
 * The ablation grids among `runs` (the runs tagged `ablation`, oldest first), newest grid first,
 * each with its runs in creation order and the seeds they use.
 */
export function ablationGroups(runs: readonly RunSummary[]): AblationGroup[] {
  const groups = new Map<string, { preset: string; seeds: Set<number>; runIds: string[] }>();
  for (const r of runs) {
    const tag = r.tags.find((t) => t.startsWith('ablation-'));
    if (!tag) continue;
    const g = groups.get(tag) ?? { preset: r.preset ?? '', seeds: new Set<number>(), runIds: [] };
    if (r.columns.seed !== null) g.seeds.add(r.columns.seed);
    g.runIds.push(r.id);
    groups.set(tag, g);
  }
  return [...groups]
    .reverse()
    .map(([groupId, g]) => ({ groupId, preset: g.preset, seeds: [...g.seeds], runIds: g.runIds }));
}
