/**
 * Per-layer distributions of the learned gates and primitives, as recorded each epoch: an index
 * to find one (layer, quantity, epoch) fast, and the shapes the histogram charts draw.
 */
import type { DistributionQuantity, DistributionRecord } from '../api/contract';
import { naturalOrder } from './firing-grid';
import type { XYSeries } from './series';

/** One recorded distribution, as the store keeps it, without its run id. */
export type DistributionEntry = Pick<
  DistributionRecord,
  'epoch' | 'layer' | 'quantity' | 'stats' | 'histogram'
>;

/** The paper's names, in the order of its appendix figures: gates, then primitives. */
export const QUANTITIES: ReadonlyArray<{
  readonly id: DistributionQuantity;
  readonly label: string;
  readonly hint: string;
}> = [
  { id: 'alpha', label: 'α', hint: 'gate between exponential and linear leak' },
  { id: 'beta', label: 'β', hint: 'gate of the integration (conductance) path' },
  { id: 'gamma', label: 'γ', hint: 'gate between hard and soft reset' },
  { id: 'v_th', label: 'V_th', hint: 'firing threshold' },
  { id: 'v_re', label: 'V_re', hint: 'reset potential' },
  { id: 'g_t', label: 'g^t', hint: 'conductance per time step' },
  { id: 'tau_exp', label: 'τ_exp', hint: 'exponential leak' },
  { id: 'tau_lin', label: 'τ_lin', hint: 'linear leak' },
  { id: 'firing_rate', label: 'firing rate', hint: 'per channel, on the test set' },
];

export function quantityLabel(id: DistributionQuantity): string {
  return QUANTITIES.find((q) => q.id === id)?.label ?? id;
}

const key = (layer: string, quantity: string) => `${layer}\u0000${quantity}`;

/** Every recorded distribution of a run, addressable by layer, quantity and epoch. */
export class DistributionIndex {
  readonly #byKey = new Map<string, Map<number, DistributionEntry>>();
  readonly #layers = new Set<string>();
  #order: readonly string[] = [];

  constructor(entries: Iterable<DistributionEntry> = [], order: readonly string[] = []) {
    this.#order = order;
    this.add(entries);
  }

  /** Adds or replaces entries (a resumed run re-records the epoch it resumed in). */
  add(entries: Iterable<DistributionEntry>): void {
    for (const entry of entries) {
      const k = key(entry.layer, entry.quantity);
      let byEpoch = this.#byKey.get(k);
      if (!byEpoch) this.#byKey.set(k, (byEpoch = new Map()));
      byEpoch.set(entry.epoch, entry);
      this.#layers.add(entry.layer);
    }
  }

  setOrder(order: readonly string[]): void {
    this.#order = order;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** Layers in network order when known, else in natural order. */
  layers(): string[] {
    const known = this.#order.filter((l) => this.#layers.has(l));
    return [...known, ...naturalOrder([...this.#layers].filter((l) => !known.includes(l)))];
  }

  quantities(layer: string): DistributionQuantity[] {
    return QUANTITIES.map((q) => q.id).filter((q) => this.#byKey.has(key(layer, q)));
  }

  epochs(layer: string, quantity: DistributionQuantity): number[] {
    return [...(this.#byKey.get(key(layer, quantity))?.keys() ?? [])].sort((a, b) => a - b);
  }

  get(layer: string, quantity: DistributionQuantity, epoch: number): DistributionEntry | null {
    return this.#byKey.get(key(layer, quantity))?.get(epoch) ?? null;
  }

  latest(layer: string, quantity: DistributionQuantity): DistributionEntry | null {
    const epochs = this.epochs(layer, quantity);
    const last = epochs[epochs.length - 1];
    return last === undefined ? null : this.get(layer, quantity, last);
  }

  /** The quantity's entries of every layer at one epoch, in layer order. */
  acrossLayers(quantity: DistributionQuantity, epoch: number): DistributionEntry[] {
    return this.layers()
      .map((layer) => this.get(layer, quantity, epoch))
      .filter((e): e is DistributionEntry => e !== null);
  }
}

/**
 * A histogram as a step curve over its bin edges, as a density (share of values per unit of the
 * quantity), so curves with different bins overlay on one axis: each recorded histogram has bins
 * chosen from its own values, so two epochs or two runs rarely share a bin width, and shares per
 * bin of unequal widths would not compare. Value i holds from edge i to edge i+1 (drawn with steps
 * aligned after each point), and the curve drops to 0 at the last edge. Empty bins at either end
 * are left off: runs recorded on the old fixed 0-1 grid then show the range their values span.
 * A constant quantity (lo == hi, e.g. a static gate) becomes a single point at its value.
 */
export function histogramCurve(h: DistributionEntry['histogram']): XYSeries {
  const total = h.counts.reduce((a, b) => a + b, 0);
  const n = h.counts.length;
  if (n === 0 || total === 0) return { x: [], y: [] };
  if (!(h.hi > h.lo)) return { x: [h.lo], y: [1] };
  const width = (h.hi - h.lo) / n;
  const first = h.counts.findIndex((c) => c > 0);
  const last = n - 1 - [...h.counts].reverse().findIndex((c) => c > 0);
  // Edges without float noise (0.48500000000000004), which the hover legend would print.
  const edge = (i: number) => (i === n ? h.hi : Number((h.lo + i * width).toPrecision(12)));
  const x: number[] = [];
  const y: number[] = [];
  for (let i = first; i <= last; i++) {
    x.push(edge(i));
    y.push(h.counts[i]! / total / width);
  }
  x.push(edge(last + 1));
  y.push(0);
  return { x, y };
}

/** Quantiles over epochs: the median and the 5-95 % and 25-75 % bands of one layer's quantity. */
export function quantileSeries(entries: readonly DistributionEntry[]): {
  epochs: number[];
  p05: number[];
  p25: number[];
  p50: number[];
  p75: number[];
  p95: number[];
  mean: number[];
} {
  const sorted = [...entries].sort((a, b) => a.epoch - b.epoch);
  return {
    epochs: sorted.map((e) => e.epoch),
    p05: sorted.map((e) => e.stats.p05),
    p25: sorted.map((e) => e.stats.p25),
    p50: sorted.map((e) => e.stats.p50),
    p75: sorted.map((e) => e.stats.p75),
    p95: sorted.map((e) => e.stats.p95),
    mean: sorted.map((e) => e.stats.mean),
  };
}
