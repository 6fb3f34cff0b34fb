/**
 * Ablation grids (the paper's Tables 4-6 as the workbench runs them): which variants a grid
 * trains, and the grids recorded in the store, told apart by their `ablation-<id>` tag.
 */
import type { AblationGridVariants } from '../contract/config';
import type { AblationGroup } from '../contract/runs';
import { describeVariant, VARIANT_IDS, type VariantId } from '../engine/glif/variants';
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

/** Mean and sample standard deviation (n - 1) of some values; std null with fewer than two. */
export interface Spread {
  readonly mean: number;
  readonly std: number | null;
  readonly n: number;
}

export function spreadOf(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, std: null, n: values.length };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (values.length - 1)), n: values.length };
}

/** One variant of a grid as the paper prints it, over the seeds whose runs completed. */
export interface AblationSummaryRow {
  readonly variant: string;
  readonly label: string;
  /** Test accuracy (fraction) of the epoch `pick` chose. */
  readonly accuracy: Spread | null;
  /** The 1-based epoch of each completed seed's best accuracy ('best' only; empty for 'last'). */
  readonly bestEpochs: readonly number[];
  /** Energy per test sample, µJ, of the last test pass. */
  readonly energyMicrojoules: Spread | null;
  /** Training time per run, s, as the store records it. */
  readonly seconds: Spread | null;
  readonly completed: number;
  /** Runs of this variant that did not complete (queued, running, failed, cancelled, interrupted). */
  readonly notCompleted: number;
}

const finite = (values: ReadonlyArray<number | null>): number[] =>
  values.filter((v): v is number => v !== null && Number.isFinite(v));

/**
 * A grid's runs summarised per variant, in the paper's order (the simplex LIFs 000 to 111, GLIF,
 * then the rest as ablationVariants lists them, then any other variant by name): the last epoch's
 * test accuracy, or the best one as the authors' code reports a run. The newest run of each
 * variant and seed counts (a rerun replaces the failed run before it).
 */
export function ablationSummary(runs: readonly RunSummary[], pick: 'last' | 'best'): AblationSummaryRow[] {
  const newest = new Map<string, RunSummary>();
  for (const r of [...runs].sort((a, b) => a.createdAt - b.createdAt))
    newest.set(`${r.columns.variant ?? '?'}\u0000${r.columns.seed ?? '?'}`, r);
  const byVariant = new Map<string, RunSummary[]>();
  for (const r of newest.values()) {
    const v = r.columns.variant ?? '?';
    byVariant.set(v, [...(byVariant.get(v) ?? []), r]);
  }
  const order: string[] = ablationVariants(true, true);
  const rank = (v: string) => (order.includes(v) ? order.indexOf(v) : order.length);
  return [...byVariant]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([variant, rs]) => {
      const done = rs.filter((r) => r.status === 'completed');
      return {
        variant,
        label: VARIANT_IDS.includes(variant as VariantId)
          ? describeVariant(variant as VariantId).label
          : variant,
        accuracy: spreadOf(
          finite(
            done.map((r) => (pick === 'best' ? r.progress.bestTestAccuracy : r.finals.finalTestAccuracy)),
          ),
        ),
        bestEpochs: pick === 'best' ? finite(done.map((r) => r.progress.bestEpoch)) : [],
        energyMicrojoules: spreadOf(finite(done.map((r) => r.finals.energyMicrojoules))),
        seconds: spreadOf(finite(done.map((r) => (r.durationMs === null ? null : r.durationMs / 1000)))),
        completed: done.length,
        notCompleted: rs.length - done.length,
      };
    });
}
