import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedNeuronImpl } from '../glif/impl';
import { glifForward } from '../glif/neuron';
import { OFFICIAL_PARAM_NAMES, type GlifParamKey, type GlifRawParams } from '../glif/params';
import { compareClose, compareExact, compareNoGradient, NEURON_TOLERANCE, type Check } from './compare';
import { FixtureError, type ParityFixture } from './fixture-schema';
import { fixtureLayout, fromChannelsLast, toChannelsLast, toTensor, variableFrom } from './layout';
import { neuronSpecFor } from './neuron-spec';
import { prefetch } from './prefetch';

const KEY_BY_OFFICIAL_NAME = new Map<string, GlifParamKey>(
  Object.entries(OFFICIAL_PARAM_NAMES).map(([key, name]) => [name, key as GlifParamKey]),
);

/**
 * One GLIF module alone: forward (spikes, membrane) and the gradient of sum(spikes * R) with
 * respect to the input and every parameter.
 */
export async function runNeuronCase(f: ParityFixture, impl: ResolvedNeuronImpl): Promise<Check[]> {
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

    const out = tf.tidy(() => {
      const R = toChannelsLast(toTensor(f.tensors.R), layout);
      let spikes: tf.Tensor | undefined;
      let membrane: tf.Tensor | undefined;
      const { grads } = tf.variableGrads(() => {
        const o = glifForward(input, params, spec, { recordMembrane: true, impl });
        spikes = tf.keep(o.spikes);
        membrane = tf.keep(o.membrane!);
        return tf.sum(tf.mul(o.spikes, R)) as tf.Scalar;
      }, [input, ...vars.values()]);
      const gradients: Record<string, tf.Tensor> = {};
      for (const name of Object.keys(f.grads)) {
        const variable = name === 'input' ? input : vars.get(name);
        if (!variable) throw new FixtureError(`gradient given for unknown tensor '${name}'`);
        const g: tf.Tensor | undefined = grads[variable.name];
        if (g) gradients[name] = name === 'input' ? fromChannelsLast(g, layout) : g;
      }
      const result = {
        spikes: fromChannelsLast(spikes!, layout),
        membrane: fromChannelsLast(membrane!, layout),
        gradients,
      };
      // Kept inside variableGrads; fromChannelsLast may hand the same tensor back (no transpose).
      if (result.spikes !== spikes) spikes!.dispose();
      if (result.membrane !== membrane) membrane!.dispose();
      return result;
    });
    try {
      // Read everything asynchronously first: webgpu has no synchronous read-back, and once read
      // a tensor's values are cached, so dataSync below is a plain lookup on every backend.
      await prefetch([out.spikes, out.membrane, ...Object.values(out.gradients)]);
      const checks: Check[] = [];
      checks.push(compareExact('spikes', out.spikes.dataSync(), out.spikes.shape, f.tensors.spikes));
      if (membraneRef) {
        const m = out.membrane;
        checks.push(compareClose('membrane', m.dataSync(), m.shape, membraneRef, NEURON_TOLERANCE));
      }
      for (const [name, ref] of Object.entries(f.grads)) {
        const g: tf.Tensor | undefined = out.gradients[name];
        if (ref === null) {
          checks.push(compareNoGradient(`grad.${name}`, g?.dataSync()));
        } else {
          const data = g ? g.dataSync() : new Float32Array(ref.data.length);
          checks.push(compareClose(`grad.${name}`, data, g ? g.shape : ref.shape, ref, NEURON_TOLERANCE));
        }
      }
      return checks;
    } finally {
      tf.dispose([out.spikes, out.membrane, ...Object.values(out.gradients)]);
    }
  } finally {
    input.dispose();
    for (const v of vars.values()) v.dispose();
  }
}
