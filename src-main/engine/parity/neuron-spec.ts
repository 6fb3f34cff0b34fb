import type { GateBit, NeuronSpec, NeuronVariant } from '../glif/variants';
import { FixtureError, type NeuronKwargs } from './fixture-schema';

/**
 * The neuron a fixture's official class and constructor arguments select (reference section 5):
 *   LIFSpike_CW            channel-wise; gates by static_gate / soft_mode
 *   LIFSpike               layer-wise; ignores soft_mode, static gates are binary
 *   LIFSpike_CW_softsimple GLIF_f
 */
export function neuronSpecFor(officialClass: string, kwargs: NeuronKwargs | undefined): NeuronSpec {
  const k = kwargs ?? { static_gate: false, static_param: false, time_wise: false, soft_mode: true };
  if (k.time_wise) throw new FixtureError('time-wise primitives (time_wise=True) are not supported');
  if (k.static_param) throw new FixtureError('static primitives (static_param=True) are not supported');
  const bits = (k.gate ?? [0, 0, 0]).map((g) => (g > 0.5 ? 1 : 0)) as unknown as readonly [
    GateBit,
    GateBit,
    GateBit,
  ];
  const binary: NeuronVariant = { kind: 'simplex', bits: [bits[0] ?? 0, bits[1] ?? 0, bits[2] ?? 0] };
  switch (officialClass) {
    case 'LIFSpike_CW': {
      const variant: NeuronVariant = k.static_gate
        ? k.soft_mode
          ? { kind: 'glif-static' }
          : binary
        : k.soft_mode
          ? { kind: 'glif' }
          : { kind: 'glif-hard' };
      return { variant, layerwise: false, reset: 'code' };
    }
    case 'LIFSpike':
      return { variant: k.static_gate ? binary : { kind: 'glif' }, layerwise: true, reset: 'code' };
    case 'LIFSpike_CW_softsimple':
      return { variant: { kind: 'glif-f' }, layerwise: false, reset: 'code' };
    default:
      throw new FixtureError(
        `unsupported official class '${officialClass}' (supported: LIFSpike_CW, LIFSpike, LIFSpike_CW_softsimple, BasicBlock_CW)`,
      );
  }
}
