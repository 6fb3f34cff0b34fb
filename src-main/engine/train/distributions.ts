import { effectiveGateValue } from '../glif/gates';
import type { GlifLayer } from '../glif/layer';
import { gateMode } from '../glif/variants';
import type { DistributionQuantity, LayerDistribution } from './events';
import { histogram, summarize } from './stats';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * The distributions over channels of every gate and primitive of one GLIF layer, as the
 * effective values the neuron uses (sigmoid(raw); binary for binary gates), in [0, 1].
 * Each histogram's bins are chosen from that epoch's values (bins.ts), not from [0, 1].
 * These are the appendix's Figures 1-2, per epoch.
 */
export function layerDistributions(layer: GlifLayer): LayerDistribution[] {
  const mode = gateMode(layer.spec.variant);
  const out: LayerDistribution[] = [];
  const add = (quantity: DistributionQuantity, values: ArrayLike<number>) =>
    out.push({ layer: layer.path, quantity, stats: summarize(values), histogram: histogram(values) });
  const read = (t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync() as ArrayLike<number>);
  if (mode !== 'none') {
    const gates: Array<[DistributionQuantity, typeof layer.raw.alpha]> = [
      ['alpha', layer.raw.alpha],
      ['beta', layer.raw.beta],
      ['gamma', layer.raw.gamma],
    ];
    for (const [q, raw] of gates)
      if (raw)
        add(
          q,
          read(raw).map((r) => effectiveGateValue(r, mode)),
        );
  }
  add('tau_exp', read(layer.raw.tau).map(sigmoid));
  add('tau_lin', read(layer.raw.leak).map(sigmoid));
  add('v_th', read(layer.raw.vth).map(sigmoid));
  add('v_re', read(layer.raw.reVth).map(sigmoid));
  add('g_t', read(layer.raw.conduct).map(sigmoid));
  return out;
}
