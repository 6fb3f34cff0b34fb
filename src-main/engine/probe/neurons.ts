import * as tf from '@tensorflow/tfjs-core';
import type {
  NeuronProbeResult,
  ProbeChannelParams,
  ProbeChannelTrace,
  ProbeImage,
  ProbeLayerInfo,
  ProbeTarget,
} from '../../contract/probe';
import type { Batch } from '../data/dataset';
import type { GlifLayer } from '../glif/layer';
import { variantId } from '../glif/variants';
import type { Model } from '../models/model';
import type { ActivityRecorder } from '../nn/module';
import { batchInput } from '../train/batch-tensors';
import { effectiveParameters } from '../train/distributions';

/** A probe that cannot be made as asked (unknown layer, channel or sample out of range). */
export class ProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProbeError';
  }
}

/** The target layer's activity, copied out of the forward pass: each [T, N, P, C] row-major. */
interface LayerActivity {
  readonly shape: readonly number[];
  readonly input: Float32Array;
  readonly membrane: Float32Array;
  readonly spikes: Float32Array;
}

/**
 * Runs `batch` (the probed samples, in order) through `model` in eval mode and returns, for
 * the GLIF layer `target.layer` and each of `target.channels`, the per-step input current,
 * membrane and spikes, with the channel's effective gates and primitives and each sample's
 * prediction. `classNames` labels the classes (indices are used where absent).
 */
export async function probeNeurons(
  model: Model,
  batch: Batch,
  target: ProbeTarget,
  classNames?: readonly string[],
): Promise<NeuronProbeResult> {
  const glifLayers = model.glifLayers();
  const layer = glifLayers.find((l) => l.path === target.layer);
  if (!layer)
    throw new ProbeError(
      `unknown layer '${target.layer}'; GLIF layers: ${glifLayers.map((l) => l.path).join(', ')}`,
    );
  if (target.samples.length !== batch.n)
    throw new Error(`probe: ${target.samples.length} sample indices for a batch of ${batch.n}`);
  const shapes = new Map<string, readonly number[]>();
  // The probed layer's tensors, kept past the forward pass's tidy and read with data() (webgpu has
  // no synchronous read-back), then disposed.
  let kept: { shape: number[]; input: tf.Tensor; membrane: tf.Tensor; spikes: tf.Tensor } | undefined;
  const recorder: ActivityRecorder = {
    wantsMembrane: true,
    wantsInput: true,
    record(path, a) {
      // Shapes of every layer (for the layer list), values of the probed one only.
      shapes.set(path, a.spikes.shape.slice(2));
      if (path !== target.layer) return;
      if (!a.membrane || !a.input) throw new Error(`layer ${path} did not pass its membrane and input`);
      kept = {
        shape: a.spikes.shape,
        input: tf.keep(a.input.clone()),
        membrane: tf.keep(a.membrane.clone()),
        spikes: tf.keep(a.spikes.clone()),
      };
    },
  };
  const classes = tf.tidy(() => {
    const logits = model.logits(batchInput(batch, model.T), { T: model.T, training: false, recorder });
    return tf.argMax(logits, 1);
  });
  let activity: LayerActivity | undefined;
  let predicted: number[];
  try {
    predicted = Array.from(await classes.data());
    if (kept)
      activity = {
        shape: kept.shape,
        input: (await kept.input.data()) as Float32Array,
        membrane: (await kept.membrane.data()) as Float32Array,
        spikes: (await kept.spikes.data()) as Float32Array,
      };
  } finally {
    classes.dispose();
    if (kept) tf.dispose([kept.input, kept.membrane, kept.spikes]);
  }
  if (!activity) throw new Error(`layer ${target.layer} recorded nothing in the forward pass`);
  const layers: ProbeLayerInfo[] = glifLayers.map((l) => {
    const shape = shapes.get(l.path) ?? [];
    return { path: l.path, channels: shape[shape.length - 1] ?? 0, shape };
  });
  const channels = activity.shape[activity.shape.length - 1];
  for (const c of target.channels)
    if (!Number.isInteger(c) || c < 0 || c >= channels)
      throw new ProbeError(
        `channel ${c} is out of range: layer ${layer.path} has channels 0..${channels - 1}`,
      );
  const name = (k: number) => classNames?.[k] ?? String(k);
  const act = activity;
  return {
    layer: layer.path,
    layers,
    timeSteps: model.T,
    variant: variantId(layer.spec.variant),
    layerwise: layer.spec.layerwise,
    params: await channelParams(layer, target.channels),
    samples: target.samples.map((index, n) => ({
      index,
      label: batch.y[n],
      labelName: name(batch.y[n]),
      predicted: predicted[n],
      predictedName: name(predicted[n]),
      image: sampleImage(batch, n),
      traces: target.channels.map((c) => channelTrace(act, n, c)),
    })),
  };
}

/** The effective parameters of the probed channels, from the values the distributions show. */
async function channelParams(layer: GlifLayer, channels: readonly number[]): Promise<ProbeChannelParams[]> {
  const values = await effectiveParameters(layer);
  // A layer-wise layer holds one value of each (and one conductance per step) for all channels.
  const stored = layer.channels;
  const at = (q: Parameters<typeof values.get>[0], i: number) => values.get(q)?.[i] ?? null;
  const need = (q: Parameters<typeof values.get>[0], i: number) => {
    const v = at(q, i);
    if (v === null) throw new Error(`layer ${layer.path} has no ${q}`);
    return v;
  };
  return channels.map((channel) => {
    const i = layer.spec.layerwise ? 0 : channel;
    return {
      channel,
      alpha: at('alpha', i),
      beta: at('beta', i),
      gamma: at('gamma', i),
      tauExp: need('tau_exp', i),
      tauLin: need('tau_lin', i),
      vth: need('v_th', i),
      vre: need('v_re', i),
      conduct: Array.from({ length: layer.T }, (_, t) => need('g_t', t * stored + i)),
    };
  });
}

/** Sample n, channel c of the layer's activity: its most active neuron and channel means. */
function channelTrace(a: LayerActivity, n: number, c: number): ProbeChannelTrace {
  const [T, N] = a.shape;
  const C = a.shape[a.shape.length - 1];
  const spatial = a.shape.slice(2, -1);
  const P = spatial.reduce((x, y) => x * y, 1);
  const at = (t: number, p: number) => ((t * N + n) * P + p) * C + c;
  let best = 0;
  let bestCount = -1;
  for (let p = 0; p < P; p++) {
    let count = 0;
    for (let t = 0; t < T; t++) count += a.spikes[at(t, p)];
    // Strictly more: ties keep the first neuron in row-major order.
    if (count > bestCount) {
      best = p;
      bestCount = count;
    }
  }
  const series = (values: Float32Array, p: number) => Array.from({ length: T }, (_, t) => values[at(t, p)]);
  const mean = (values: Float32Array) =>
    Array.from({ length: T }, (_, t) => {
      let sum = 0;
      for (let p = 0; p < P; p++) sum += values[at(t, p)];
      return sum / P;
    });
  const width = spatial[spatial.length - 1];
  return {
    channel: c,
    neurons: P,
    neuron: best,
    position: spatial.length === 2 ? [Math.floor(best / width), best % width] : null,
    current: series(a.input, best),
    membrane: series(a.membrane, best),
    spikes: series(a.spikes, best),
    meanCurrent: mean(a.input),
    meanMembrane: mean(a.membrane),
    spikeFraction: mean(a.spikes),
  };
}

/** Sample n of the batch as an image: the image itself, or the first frame of a frame sample. */
function sampleImage(batch: Batch, n: number): ProbeImage {
  const [height, width, channels] = batch.shape.slice(-3);
  const perSample = batch.x.length / batch.n;
  const start = n * perSample;
  return {
    height,
    width,
    channels,
    pixels: Array.from(batch.x.subarray(start, start + height * width * channels)),
  };
}
