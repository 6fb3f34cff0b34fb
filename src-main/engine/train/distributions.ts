import { effectiveGateValue } from '../glif/gates';
import type { GlifLayer } from '../glif/layer';
import { gateMode } from '../glif/variants';
import type { DistributionQuantity, LayerDistribution } from './events';
import { histogram, summarize } from './stats';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * The effective value of every gate and primitive of one GLIF layer, as the neuron uses them
 * (sigmoid(raw); binary for binary gates), in [0, 1], one entry per channel (one for a
 * layer-wise layer); `g_t` is [T, C] row-major. Gates are absent where the variant has none
 * (GLIF_f). Shared by the distribution views and the neuron probe, so both show the same values.
 * Reads with `data()`: on webgpu there is no synchronous read-back.
 */
export async function effectiveParameters(layer: GlifLayer): Promise<Map<DistributionQuantity, number[]>> {
  const mode = gateMode(layer.spec.variant);
  const out = new Map<DistributionQuantity, number[]>();
  const read = async (t: { data(): Promise<ArrayLike<number>> }) => Array.from(await t.data());
  if (mode !== 'none') {
    const gates: Array<[DistributionQuantity, typeof layer.raw.alpha]> = [
      ['alpha', layer.raw.alpha],
      ['beta', layer.raw.beta],
      ['gamma', layer.raw.gamma],
    ];
    for (const [q, raw] of gates)
      if (raw)
        out.set(
          q,
          (await read(raw)).map((r) => effectiveGateValue(r, mode)),
        );
  }
  out.set('tau_exp', (await read(layer.raw.tau)).map(sigmoid));
  out.set('tau_lin', (await read(layer.raw.leak)).map(sigmoid));
  out.set('v_th', (await read(layer.raw.vth)).map(sigmoid));
  out.set('v_re', (await read(layer.raw.reVth)).map(sigmoid));
  out.set('g_t', (await read(layer.raw.conduct)).map(sigmoid));
  return out;
}

/**
 * The distributions over channels of every gate and primitive of one GLIF layer (see
 * effectiveParameters). Each histogram's bins are chosen from that epoch's values (bins.ts), not
 * from [0, 1]. These are the appendix's Figures 1-2, per epoch.
 */
export async function layerDistributions(layer: GlifLayer): Promise<LayerDistribution[]> {
  return [...(await effectiveParameters(layer))].map(([quantity, values]) => ({
    layer: layer.path,
    quantity,
    stats: summarize(values),
    histogram: histogram(values),
  }));
}
