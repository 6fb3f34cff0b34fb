import * as tf from '@tensorflow/tfjs-core';
import {
  glifBackwardLoop,
  glifForwardLoop,
  stepCoefficientArrays,
  type CoefficientGradients,
  type EffectiveValues,
  type RectangleWindow,
} from './fused-loops';
import { glifBackwardSimd, glifForwardSimd, simdPeriod } from '../kernels/simd/glif-simd';
import { activeWasmHeap, type WasmHeap } from '../kernels/simd/heap';
import type { GlifForwardResult } from './neuron';
import type { GlifRawParams } from './params';
import { assertNever, gateMode, type GateMode, type NeuronSpec } from './variants';

/**
 * GLIF as one op whose forward and backward are plain typed-array loops (fused-loops.ts).
 *
 * Written as TF.js ops, one layer is about a hundred small kernels (forward and backward), each a
 * full pass over the activation, and on wasm every per-channel reduction of the backward pass
 * transposes the whole tensor. Here the input is read once with dataSync, the time loop runs in
 * JS, and BPTT accumulates the per-channel parameter gradients in float64 while it walks back
 * through time. That only pays where reading a tensor is a memory copy (wasm, cpu); on a native
 * or GPU backend the tf-ops path stays (see impl.ts).
 *
 * On wasm the same loops run as WebAssembly SIMD kernels on the backend's heap (kernels/simd),
 * reading the input and writing the outputs in place, without the dataSync copies; the loops
 * here remain for the cpu backend and the few shapes the kernels do not take.
 *
 * Same numbers as the tf-ops path: spikes and membranes bit-identical (same float32 rounding
 * order), gradients within float32 rounding, structural zeros exact.
 */

/** Name of the op in tf.profile output. */
export const FUSED_GLIF_SCOPE = 'GlifFused';

export interface FusedGlifOptions {
  readonly recordMembrane?: boolean;
  /** Total width of the rectangular surrogate (height 1/width). */
  readonly surrogateWidth: number;
}

type Gates = Exclude<GateMode, 'none'>;

/** The op's inputs in a fixed order; gates only where the variant reads them. */
interface FusedInputs {
  readonly tensors: tf.Tensor[];
  readonly gated: boolean;
}

function requireGate(t: tf.Tensor | undefined, name: string): tf.Tensor {
  if (!t) throw new Error(`this GLIF variant needs the '${name}' gate parameter`);
  return t;
}

function collectInputs(x: tf.Tensor, p: GlifRawParams, mode: GateMode): FusedInputs {
  const prims = [p.tau, p.vth, p.leak, p.reVth, p.conduct];
  if (mode === 'none') return { tensors: [x, ...prims], gated: false };
  const gates = [requireGate(p.alpha, 'alpha'), requireGate(p.beta, 'beta'), requireGate(p.gamma, 'gamma')];
  return { tensors: [x, ...prims, ...gates], gated: true };
}

function gateValue(raw: Float32Array, sig: Float32Array, mode: Gates): Float32Array {
  switch (mode) {
    case 'learnable':
    case 'static-soft':
      return sig;
    case 'static-binary':
      return raw.map((r) => (r > 0 ? 1 : 0));
    case 'hard-ste':
      return sig.map((s) => (s > 0.5 ? 1 : 0));
    default:
      return assertNever(mode, 'gate mode');
  }
}

interface ParamData {
  readonly values: EffectiveValues;
  /** sigmoid(raw) of each raw input after x, in input order, for the chain rule. */
  readonly sig: Float32Array[];
}

function readParams(inputs: tf.Tensor[], mode: GateMode, T: number, P: number): ParamData {
  // tf.sigmoid rather than Math.exp, so the values are the active backend's own (bit-identical
  // to the tf-ops path, whose coefficients the forward pass reproduces).
  const raw = inputs.slice(1).map((t) => t.dataSync() as Float32Array);
  const sig = tf.tidy(() => inputs.slice(1).map((t) => Float32Array.from(tf.sigmoid(t).dataSync())));
  const [tau, theta, leak, reVth, g] = sig;
  if (mode === 'none') return { values: { P, T, tau, leak, reVth, g, theta }, sig };
  return {
    values: {
      P,
      T,
      a: gateValue(raw[5], sig[5], mode),
      b: gateValue(raw[6], sig[6], mode),
      c: gateValue(raw[7], sig[7], mode),
      tau,
      leak,
      reVth,
      g,
      theta,
    },
    sig,
  };
}

/** dL/d(effective value) for each raw input after x, in input order (float64). */
function effectiveGradients(v: EffectiveValues, d: CoefficientGradients): Float64Array[] {
  const { P, T } = v;
  const perSlot = (f: (k: number) => number) => Float64Array.from({ length: P }, (_, k) => f(k));
  if (!v.a || !v.b || !v.c) {
    // GLIF_f: decay = tau, linear = leak, soft = reVth, gain = g; the hard factor is a constant.
    return [d.decay, d.threshold, d.linear, d.soft, d.gain];
  }
  const { a, b, c } = v;
  const dG = Float64Array.from({ length: T * P }, (_, i) => b[i % P] * d.gain[i]);
  const dB = perSlot((k) => {
    let s = 0;
    for (let t = 0; t < T; t++) s -= (1 - v.g[t * P + k]) * d.gain[t * P + k];
    return s;
  });
  return [
    perSlot((k) => a[k] * d.decay[k]), // tau: decay = 1 - a (1 - tau)
    d.threshold,
    perSlot((k) => (1 - a[k]) * d.linear[k]), // leak: linear = (1 - a) l
    perSlot((k) => (1 - c[k]) * d.soft[k]), // reVth: soft = (1 - c) v
    dG, // conduct: gain_t = 1 - b (1 - g_t)
    perSlot((k) => -(1 - v.tau[k]) * d.decay[k] - v.leak[k] * d.linear[k]), // alpha
    dB, // beta
    perSlot((k) => d.hard[k] - v.reVth[k] * d.soft[k]), // gamma: hard = c
  ];
}

/** Through sigmoid(raw) for trained quantities; zeros for frozen gates (PyTorch's detach). */
function rawGradient(dEffective: Float64Array, sig: Float32Array, frozen: boolean): Float32Array {
  const out = new Float32Array(dEffective.length);
  if (frozen) return out;
  for (let i = 0; i < out.length; i++) out[i] = dEffective[i] * sig[i] * (1 - sig[i]);
  return out;
}

function checkShapes(x: tf.Tensor, inputs: tf.Tensor[], T: number): number {
  const P = inputs[1].size;
  for (let j = 1; j < inputs.length; j++) {
    const want = j === 5 ? T * P : P; // input 5 is conduct
    if (inputs[j].size !== want) {
      throw new Error(`GLIF parameter ${j} has ${inputs[j].size} values, expected ${want} (${P} per step)`);
    }
    if (inputs[j].dtype !== 'float32')
      throw new Error(`GLIF parameters must be float32, got ${inputs[j].dtype}`);
  }
  if (x.dtype !== 'float32') throw new Error(`GLIF input must be float32, got ${x.dtype}`);
  if (P > 1 && x.shape[x.rank - 1] !== P) {
    throw new Error(
      `GLIF input has ${x.shape[x.rank - 1]} channels on its last axis, the parameters have ${P}`,
    );
  }
  return P;
}

/** The SIMD kernels (kernels/simd) where the backend and the shape allow, else the JS loops. */
function simdPlan(x: tf.Tensor, P: number, T: number): { heap: WasmHeap; Q: number } | undefined {
  if (x.size === 0 || x.size % T !== 0) return undefined;
  const heap = activeWasmHeap();
  const Q = heap && simdPeriod(P, x.size / T);
  return heap && Q ? { heap, Q } : undefined;
}

/**
 * Spikes only, for inference (evaluation, no gradient tape): the same loop and numbers as the
 * fused op, without the custom gradient, the saved membrane or its copy.
 */
export function glifSpikesFused(x: tf.Tensor, params: GlifRawParams, spec: NeuronSpec): tf.Tensor {
  const T = params.conduct.shape[0];
  const mode = gateMode(spec.variant);
  const { tensors } = collectInputs(x, params, mode);
  const P = checkShapes(x, tensors, T);
  return tf.tidy(FUSED_GLIF_SCOPE, () => {
    const k = stepCoefficientArrays(readParams(tensors, mode, T, P).values);
    const simd = simdPlan(x, P, T);
    if (simd) return glifForwardSimd(simd.heap, x, k, spec.reset, simd.Q, 'none').value;
    const spikes = new Float32Array(x.size);
    glifForwardLoop(x.dataSync() as Float32Array, k, spec.reset, spikes, undefined);
    return tf.tensor(spikes, x.shape, 'float32');
  });
}

/** glifForward (neuron.ts) as one fused op; the caller checks T and chooses the implementation. */
export function glifForwardFused(
  x: tf.Tensor,
  params: GlifRawParams,
  spec: NeuronSpec,
  options: FusedGlifOptions,
): GlifForwardResult {
  const T = params.conduct.shape[0];
  const width = options.surrogateWidth;
  if (!(width > 0)) throw new Error(`surrogate width must be > 0, got ${width}`);
  // float32 like the tf-ops surrogate's scalars, so |z| < half decides identically.
  const window: RectangleWindow = { half: Math.fround(width / 2), height: Math.fround(1 / width) };
  const mode = gateMode(spec.variant);
  const { tensors, gated } = collectInputs(x, params, mode);
  const P = checkShapes(x, tensors, T);
  const record = options.recordMembrane === true;
  const size = x.size;

  const frozenGates = mode === 'static-soft' || mode === 'static-binary';
  /** dL/dx as a tensor and the raw parameters' gradients, from the coefficient gradients. */
  const gradients = (
    dx: tf.Tensor,
    values: EffectiveValues,
    sig: Float32Array[],
    d: CoefficientGradients,
  ) => {
    const dEff = effectiveGradients(values, d);
    const grads = dEff.map((de, j) => {
      const input = tensors[j + 1];
      return tf.tensor(rawGradient(de, sig[j], gated && j >= 5 && frozenGates), input.shape, 'float32');
    });
    return [dx, ...grads];
  };

  const simd = simdPlan(x, P, T);
  const op = simd
    ? // On the wasm heap: the outputs are written in place and saved for the backward pass.
      tf.customGrad(((...args: unknown[]) => {
        const save = args[args.length - 1] as tf.GradSaveFunc;
        const { values, sig } = readParams(tensors, mode, T, P);
        const k = stepCoefficientArrays(values);
        const fwd = glifForwardSimd(simd.heap, x, k, spec.reset, simd.Q, record ? 'output' : 'separate');
        save(fwd.membrane ? [x, fwd.value, fwd.membrane] : [x, fwd.value]);
        return {
          value: fwd.value,
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
            const [xs, value, membrane] = saved;
            const back = glifBackwardSimd(
              simd.heap,
              { x: xs, value, membrane, dy },
              k,
              spec.reset,
              window,
              simd.Q,
            );
            return gradients(back.dx, values, sig, back.grads);
          },
        };
      }) as unknown as Parameters<typeof tf.customGrad>[0])
    : tf.customGrad(() => {
        const { values, sig } = readParams(tensors, mode, T, P);
        const k = stepCoefficientArrays(values);
        const xData = x.dataSync() as Float32Array;
        // With the membrane, both travel as one [2, ...x] tensor, so its gradient can flow too.
        const out = new Float32Array(record ? 2 * size : size);
        const spikes = out.subarray(0, size);
        const membrane = record ? out.subarray(size) : new Float32Array(size);
        glifForwardLoop(xData, k, spec.reset, spikes, membrane);
        return {
          value: tf.tensor(out, record ? [2, ...x.shape] : x.shape, 'float32'),
          gradFunc: (dy: tf.Tensor) => {
            const dyData = dy.dataSync() as Float32Array;
            const dx = new Float32Array(size);
            const d = glifBackwardLoop(
              {
                x: xData,
                spikes,
                membrane,
                dSpikes: dyData.subarray(0, size),
                dMembrane: record ? dyData.subarray(size) : undefined,
              },
              k,
              spec.reset,
              window,
              dx,
            );
            return gradients(tf.tensor(dx, x.shape, 'float32'), values, sig, d);
          },
        };
      });

  return tf.tidy(FUSED_GLIF_SCOPE, () => {
    const value = op(...tensors);
    if (!record) return { spikes: value };
    const [spikes, membrane] = tf.unstack(value);
    return { spikes, membrane };
  });
}
