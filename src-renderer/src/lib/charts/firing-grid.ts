/**
 * The layer x epoch firing-rate grid of the Live run view, with dead and saturated cells named.
 * A rate is the mean spikes per neuron per time step on the test set, so 0 means no neuron of
 * the layer spiked at all and 1 means every neuron spiked at every step.
 */

export type FiringFlag = 'dead' | 'saturated' | null;

export interface FiringGrid {
  /** Layers in network order. */
  readonly layers: readonly string[];
  /** Epochs that have at least one rate, ascending. */
  readonly epochs: readonly number[];
  /** rates[layer][i] belongs to epochs[i]; null where that epoch has no rate for the layer. */
  readonly rates: Readonly<Record<string, readonly (number | null)[]>>;
}

/** Within this of 0 or 1 a rate is reported as dead or saturated (float sums are not exact). */
const EDGE = 1e-6;

export function firingFlag(rate: number | null): FiringFlag {
  if (rate === null || !Number.isFinite(rate)) return null;
  if (rate <= EDGE) return 'dead';
  if (rate >= 1 - EDGE) return 'saturated';
  return null;
}

/** A layer is flagged by its latest epoch: that is the state the network is in now. */
export function layerFlag(grid: FiringGrid, layer: string): FiringFlag {
  const row = grid.rates[layer] ?? [];
  for (let i = row.length - 1; i >= 0; i--) {
    const rate = row[i];
    if (rate !== null && rate !== undefined) return firingFlag(rate);
  }
  return null;
}

/** Numeric-aware order ("layer2" before "layer10"), used when the network order is unknown. */
export function naturalOrder(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * Builds the grid from per-layer (epoch, rate) points. `order` is the network's layer order when
 * known (from the run's start event); layers outside it follow in natural order.
 */
export function buildFiringGrid(
  points: ReadonlyMap<string, ReadonlyArray<{ readonly epoch: number; readonly value: number }>>,
  order: readonly string[] = [],
): FiringGrid {
  const epochSet = new Set<number>();
  for (const series of points.values()) for (const p of series) epochSet.add(p.epoch);
  const epochs = [...epochSet].sort((a, b) => a - b);
  const column = new Map(epochs.map((e, i) => [e, i]));
  const known = order.filter((layer) => points.has(layer));
  const rest = naturalOrder([...points.keys()].filter((layer) => !known.includes(layer)));
  const layers = [...known, ...rest];
  const rates: Record<string, (number | null)[]> = {};
  for (const layer of layers) {
    const row = new Array<number | null>(epochs.length).fill(null);
    for (const p of points.get(layer) ?? [])
      row[column.get(p.epoch)!] = Number.isFinite(p.value) ? p.value : null;
    rates[layer] = row;
  }
  return { layers, epochs, rates };
}

/**
 * Cell colour for a rate: white at 0 to the accent blue at the largest rate in the grid (rates of
 * healthy SNN layers are 0.05-0.3, so a fixed 0..1 scale would leave every cell pale).
 */
export function rateColor(rate: number | null, maxRate: number): string {
  if (rate === null || !Number.isFinite(rate)) return 'transparent';
  const t = maxRate > 0 ? Math.min(1, Math.max(0, rate / maxRate)) : 0;
  const mix = (from: number, to: number) => Math.round(from + (to - from) * t);
  return `rgb(${mix(255, 29)}, ${mix(255, 79)}, ${mix(255, 145)})`;
}

export function maxRate(grid: FiringGrid): number {
  let max = 0;
  for (const layer of grid.layers)
    for (const r of grid.rates[layer] ?? []) if (r !== null && r > max) max = r;
  return max;
}
