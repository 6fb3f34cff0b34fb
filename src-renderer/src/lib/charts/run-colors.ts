/**
 * A run's colour, the same in every comparison it is part of: its place in creation order
 * (oldest first) picks the palette entry. Creation order rather than a hash of the id because
 * runs that are compared together are mostly made together (an ablation grid, a seed sweep), and
 * neighbours in creation order never share a colour among twenty, where a hash would let two of
 * three runs collide one time in seven. The cost: deleting an older run shifts the colours of
 * the runs after it.
 */
import { paletteColor } from './types';

export type RunColorOf = (runId: string) => string;

/** `creationOrder`: every run id the host holds, oldest first. */
export function runColors(creationOrder: readonly string[]): RunColorOf {
  const rank = new Map(creationOrder.map((runId, index) => [runId, index]));
  return (runId) => paletteColor(rank.get(runId) ?? idHash(runId));
}

/** For a run the list did not hold (it failed to load): still one colour per id. */
function idHash(runId: string): number {
  let hash = 0;
  for (let i = 0; i < runId.length; i++) hash = (hash * 31 + runId.charCodeAt(i)) >>> 0;
  return hash;
}
