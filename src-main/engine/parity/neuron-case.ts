import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedNeuronImpl } from '../glif/impl';
import { glifForward } from '../glif/neuron';
import { OFFICIAL_PARAM_NAMES, type GlifParamKey, type GlifRawParams } from '../glif/params';
import { compareClose, compareExact, compareNoGradient, NEURON_TOLERANCE, type Check } from './compare';
import { FixtureError, type ParityFixture } from './fixture-schema';
import { fixtureLayout, fromChannelsLast, toChannelsLast, toTensor, variableFrom } from './layout';
import { neuronSpecFor } from './neuron-spec';

const KEY_BY_OFFICIAL_NAME = new Map<string, GlifParamKey>(
  Object.entries(OFFICIAL_PARAM_NAMES).map(([key, name]) => [name, key as GlifParamKey]),
);

/**
 * One GLIF module alone: forward (spikes, membrane) and the gradient of sum(spikes * R) with
 * respect to the input and every parameter.
 */
export function runNeuronCase(f: ParityFixture, impl: ResolvedNeuronImpl): Check[] {
  const spec = neuronSpecFor(f.official.class, f.official.constructor.kwargs);
  const layout = fixtureLayout(f.layout.input);
  const membraneRef = f.tensors['membrane'];
  for (const name of Object.keys(f.params)) {
    if (!KEY_BY_OFFICIAL_NAME.has(name)) throw new FixtureError(`unknown GLIF parameter '${name}'`);
  }
  if (!f.params['conduct']) throw new FixtureError("the fixture has no 'conduct' parameter");

  const vars = new Map<string, tf.Variable>();
  const input = variableFrom(() => toChannelsLast(toTensor(f.tensors.input), layout));
  try {
    for (const [name, p] of Object.entries(f.params)) {
      vars.set(
        name,
        variableFrom(() => toTensor({ shape: p.shape, dtype: p.dtype, data: p.raw })),
      );
    }
    const raw = {} as Record<GlifParamKey, tf.Tensor>;
    for (const [name, v] of vars) raw[KEY_BY_OFFICIAL_NAME.get(name)!] = v;
    const params = raw as unknown as GlifRawParams;

    return tf.tidy(() => {
      const R = toChannelsLast(toTensor(f.tensors.R), layout);
      let spikes: tf.Tensor | undefined;
      let membrane: tf.Tensor | undefined;
      const { grads } = tf.variableGrads(() => {
        const out = glifForward(input, params, spec, { recordMembrane: true, impl });
        spikes = tf.keep(out.spikes);
        membrane = tf.keep(out.membrane!);
        return tf.sum(tf.mul(out.spikes, R)) as tf.Scalar;
      }, [input, ...vars.values()]);

      const checks: Check[] = [];
      const s = fromChannelsLast(spikes!, layout);
      checks.push(compareExact('spikes', s.dataSync(), s.shape, f.tensors.spikes));
      if (membraneRef) {
        const m = fromChannelsLast(membrane!, layout);
        checks.push(compareClose('membrane', m.dataSync(), m.shape, membraneRef, NEURON_TOLERANCE));
      }
      for (const [name, ref] of Object.entries(f.grads)) {
        const variable = name === 'input' ? input : vars.get(name);
        if (!variable) throw new FixtureError(`gradient given for unknown tensor '${name}'`);
        let g: tf.Tensor | undefined = grads[variable.name];
        if (g && name === 'input') g = fromChannelsLast(g, layout);
        if (ref === null) {
          checks.push(compareNoGradient(`grad.${name}`, g?.dataSync()));
        } else {
          const data = g ? g.dataSync() : new Float32Array(ref.data.length);
          checks.push(compareClose(`grad.${name}`, data, g ? g.shape : ref.shape, ref, NEURON_TOLERANCE));
        }
      }
      spikes!.dispose();
      membrane!.dispose();
      return checks;
    });
  } finally {
    input.dispose();
    for (const v of vars.values()) v.dispose();
  }
}
