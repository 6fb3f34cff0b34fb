import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedNeuronImpl } from '../glif/impl';
import { GATE_RANGES, PRIMITIVE_PRESETS } from '../glif/init';
import { TdBatchNorm } from '../glif/tdbn';
import { BasicBlock } from '../models/basic-block';
import { createLayerFactory } from '../models/factory';
import { foldTime, unfoldTime, type ActivityRecorder } from '../nn/module';
import { BLOCK_TOLERANCE, compareClose, compareExact, compareNoGradient, type Check } from './compare';
import { prefetch } from './prefetch';
import { FixtureError, type ParityFixture } from './fixture-schema';
import {
  fixtureLayout,
  fromChannelsLast,
  hwioToOihw,
  oihwToHwio,
  toChannelsLast,
  toTensor,
  variableFrom,
} from './layout';
import { neuronSpecFor } from './neuron-spec';

/** Values are overwritten from the fixture, so the initial draws do not matter. */
const unusedRng = { next: () => 0.5, normal: () => 0 };

/**
 * A residual `BasicBlock_CW` in train mode: conv + tdBN (batch statistics, running-stat update)
 * + GLIF. Our module tree mirrors the official names, so fixture parameter `body.0.0.weight` is
 * our parameter `body.0.0.weight`.
 */
export async function runBlockCase(f: ParityFixture, impl: ResolvedNeuronImpl): Promise<Check[]> {
  const ctor = f.official.constructor;
  const inC = ctor.inplanes;
  const outC = ctor.planes;
  if (!inC || !outC)
    throw new FixtureError('a BasicBlock_CW fixture needs constructor.inplanes and constructor.planes');
  if ((ctor.ksize ?? 3) !== 3) throw new FixtureError(`only ksize 3 blocks are supported, got ${ctor.ksize}`);
  if (fixtureLayout(f.layout.input) !== 'TNCHW') throw new FixtureError('a block fixture needs TNCHW input');
  const T = f.T;
  const spec = neuronSpecFor('LIFSpike_CW', ctor.lif_param);
  const factory = createLayerFactory({
    T,
    spec,
    init: { primitives: PRIMITIVE_PRESETS.cifar, gates: GATE_RANGES.code },
    rng: unusedRng,
    weightInit: 'kaiming',
    impl,
  });
  const block = new BasicBlock(factory, { inChannels: inC, outChannels: outC, stride: ctor.stride ?? 1 });
  const input = variableFrom(() => foldTime(toChannelsLast(toTensor(f.tensors.input), 'TNCHW')));
  try {
    const params = new Map(block.parameters().map((p) => [p.path, p.variable]));
    const isConvWeight = (v: tf.Variable) => v.rank === 4;
    for (const [name, p] of Object.entries(f.params)) {
      const v = params.get(name);
      if (!v) throw new FixtureError(`parameter '${name}' has no counterpart in BasicBlock(${inC}->${outC})`);
      tf.tidy(() => {
        const t = toTensor({ shape: p.shape, dtype: p.dtype, data: p.raw });
        v.assign(isConvWeight(v) ? oihwToHwio(t) : t);
      });
    }
    const norms = new Map<string, TdBatchNorm>();
    for (const m of block.modules()) if (m instanceof TdBatchNorm) norms.set(m.path, m);
    for (const [name, b] of Object.entries(f.buffers ?? {})) {
      const norm = norms.get(name);
      if (!norm) throw new FixtureError(`tdBN buffer '${name}' has no counterpart in the block`);
      if (
        Math.abs(norm.scale - b.alpha * b.Vth) > 1e-7 ||
        norm.eps !== b.eps ||
        norm.momentum !== b.momentum
      ) {
        throw new FixtureError(
          `tdBN '${name}' has alpha*Vth/eps/momentum ${b.alpha * b.Vth}/${b.eps}/${b.momentum}, unsupported`,
        );
      }
      tf.tidy(() => {
        norm.runningMean.assign(toTensor(b.running_mean_before));
        norm.runningVar.assign(toTensor(b.running_var_before));
      });
    }

    // The comparisons run after the tensors they read have been read asynchronously (prefetch.ts):
    // webgpu has no synchronous read-back. `read` keeps a tensor past the tidy for that.
    const toRead: tf.Tensor[] = [];
    const read = <T extends tf.Tensor | undefined>(t: T): T => {
      if (t) toRead.push(tf.keep(t));
      return t;
    };
    const pending: Array<() => Check> = [];
    tf.tidy(() => {
      const recorded = new Map<string, { spikes: tf.Tensor; membrane?: tf.Tensor }>();
      const recorder: ActivityRecorder = {
        wantsMembrane: true,
        record: (path, a) =>
          recorded.set(path, { spikes: tf.keep(a.spikes), membrane: a.membrane && tf.keep(a.membrane) }),
      };
      const R = toChannelsLast(toTensor(f.tensors.R), 'TNCHW');
      let out: tf.Tensor | undefined;
      const variables = [input, ...params.values()];
      const { grads } = tf.variableGrads(() => {
        out = tf.keep(unfoldTime(block.forward(input, { T, training: true, recorder }), T));
        return tf.sum(tf.mul(out, R)) as tf.Scalar;
      }, variables);

      const checks: Array<() => Check> = [];
      const spikes = read(fromChannelsLast(out!, 'TNCHW'));
      checks.push(() => compareExact('spikes', spikes.dataSync(), spikes.shape, f.tensors.spikes));
      for (const [name, ref] of Object.entries(f.tensors)) {
        const m = /^(spikes|membrane)\.(.+)$/.exec(name);
        if (!m) continue;
        const rec = recorded.get(m[2]);
        if (!rec) throw new FixtureError(`no GLIF layer '${m[2]}' in the block for tensor '${name}'`);
        const t = read(fromChannelsLast(m[1] === 'spikes' ? rec.spikes : rec.membrane!, 'TNCHW'));
        checks.push(() =>
          m[1] === 'spikes'
            ? compareExact(name, t.dataSync(), t.shape, ref)
            : compareClose(name, t.dataSync(), t.shape, ref, BLOCK_TOLERANCE),
        );
      }
      for (const [name, ref] of Object.entries(f.grads)) {
        const v = name === 'input' ? input : params.get(name);
        if (!v) throw new FixtureError(`gradient given for unknown tensor '${name}'`);
        let g: tf.Tensor | undefined = grads[v.name];
        if (g && name === 'input') g = fromChannelsLast(unfoldTime(g, T), 'TNCHW');
        else if (g && isConvWeight(v)) g = hwioToOihw(g);
        read(g);
        if (ref === null) checks.push(() => compareNoGradient(`grad.${name}`, g?.dataSync()));
        else {
          checks.push(() => {
            const data = g ? g.dataSync() : new Float32Array(ref.data.length);
            return compareClose(`grad.${name}`, data, g ? g.shape : ref.shape, ref, BLOCK_TOLERANCE);
          });
        }
      }
      for (const [name, b] of Object.entries(f.buffers ?? {})) {
        const norm = norms.get(name)!;
        if (b.running_mean_after) {
          const after = b.running_mean_after;
          const mean = read(norm.runningMean.clone());
          checks.push(() =>
            compareClose(`${name}.running_mean`, mean.dataSync(), mean.shape, after, BLOCK_TOLERANCE),
          );
        }
        if (b.running_var_after) {
          const after = b.running_var_after;
          const variance = read(norm.runningVar.clone());
          checks.push(() =>
            compareClose(`${name}.running_var`, variance.dataSync(), variance.shape, after, BLOCK_TOLERANCE),
          );
        }
      }
      out!.dispose();
      for (const r of recorded.values()) {
        r.spikes.dispose();
        r.membrane?.dispose();
      }
      pending.push(...checks);
    });
    try {
      await prefetch(toRead);
      return pending.map((check) => check());
    } finally {
      tf.dispose(toRead);
    }
  } finally {
    input.dispose();
    block.dispose();
  }
}
