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
import { onWebGpu } from '../webgpu/glif-programs';
import { effectiveGateValue } from './gates';
import { glifForwardWebGpu, glifSpikesWebGpu } from './fused-webgpu';
import type { GlifForwardResult } from './forward-types';
import { requireGate, type GlifRawParams } from './params';
import { gateMode, type GateMode, type NeuronSpec } from './variants';

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
 * here remain for the cpu backend and the few shapes the kernels do not take. On webgpu they run
 * as WGSL compute kernels (fused-webgpu.ts), with the same numbers.
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

/**
 * The op's parameter inputs by name, in the order tf.customGrad receives them after x (it takes
 * tensors by position only). GLIF_f has the primitives alone.
 */
const PRIMITIVES = ['tau', 'vth', 'leak', 'reVth', 'conduct'] as const;
const GATES = ['alpha', 'beta', 'gamma'] as const;
type FusedParamName = (typeof PRIMITIVES)[number] | (typeof GATES)[number];

interface FusedInputs {
  /** x, then the parameters in the order of `names`. */
  readonly tensors: tf.Tensor[];
  readonly names: readonly FusedParamName[];
}

function collectInputs(x: tf.Tensor, p: GlifRawParams, mode: GateMode): FusedInputs {
  const names: readonly FusedParamName[] = mode === 'none' ? PRIMITIVES : [...PRIMITIVES, ...GATES];
  return { tensors: [x, ...names.map((name) => requireGate(p[name], name))], names };
}

/** A value per parameter input, by name. */
type ByName<V> = Partial<Record<FusedParamName, V>>;

function named<V>(names: readonly FusedParamName[], values: readonly V[]): ByName<V> {
  const out: ByName<V> = {};
  for (let j = 0; j < names.length; j++) out[names[j]] = values[j];
  return out;
}

function need<V>(values: ByName<V>, name: FusedParamName): V {
  const v = values[name];
  if (v === undefined) throw new Error(`fused GLIF op: no '${name}' input`);
  return v;
}

/** effectiveGateValue (gates.ts) over a layer's gate, with the backend's own sigmoid values. */
function gateValues(raw: Float32Array, sig: Float32Array, mode: Gates): Float32Array {
  // A loop, not raw.map(closure): see "written out" in fused-loops.ts.
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = effectiveGateValue(raw[i], mode, sig[i]);
  return out;
}

interface ParamData {
  readonly values: EffectiveValues;
  /** sigmoid(raw) of each parameter input, for the chain rule. */
  readonly sig: ByName<Float32Array>;
}

function readParams(inputs: FusedInputs, mode: GateMode, T: number, P: number): ParamData {
  const params = inputs.tensors.slice(1);
  // tf.sigmoid rather than Math.exp, so the values are the active backend's own (bit-identical
  // to the tf-ops path, whose coefficients the forward pass reproduces).
  const rawValues: Float32Array[] = [];
  const sigValues: Float32Array[] = [];
  for (const t of params) {
    rawValues.push(t.dataSync() as Float32Array);
    const sigmoid = tf.sigmoid(t);
    try {
      sigValues.push(Float32Array.from(sigmoid.dataSync()));
    } finally {
      sigmoid.dispose();
    }
  }
  const raw = named(inputs.names, rawValues);
  const sig = named(inputs.names, sigValues);
  const primitives = {
    P,
    T,
    tau: need(sig, 'tau'),
    leak: need(sig, 'leak'),
    reVth: need(sig, 'reVth'),
    g: need(sig, 'conduct'),
    theta: need(sig, 'vth'),
  };
  if (mode === 'none') return { values: primitives, sig };
  const gate = (name: (typeof GATES)[number]) => gateValues(need(raw, name), need(sig, name), mode);
  return { values: { ...primitives, a: gate('alpha'), b: gate('beta'), c: gate('gamma') }, sig };
}

/**
 * dL/d(effective value) of each parameter input, from the coefficient gradients. Loops rather
 * than per-call closures: see "written out" in fused-loops.ts.
 */
function effectiveGradients(v: EffectiveValues, d: CoefficientGradients): ByName<Float64Array> {
  const { P, T } = v;
  if (!v.a || !v.b || !v.c) {
    // GLIF_f: decay = tau, linear = leak, soft = reVth, gain = g; the hard factor is a constant.
    return { tau: d.decay, vth: d.threshold, leak: d.linear, reVth: d.soft, conduct: d.gain };
  }
  const { a, b, c } = v;
  const tau = new Float64Array(P);
  const leak = new Float64Array(P);
  const reVth = new Float64Array(P);
  const alpha = new Float64Array(P);
  const beta = new Float64Array(P);
  const gamma = new Float64Array(P);
  for (let k = 0; k < P; k++) {
    tau[k] = a[k] * d.decay[k]; // decay = 1 - a (1 - tau)
    leak[k] = (1 - a[k]) * d.linear[k]; // linear = (1 - a) l
    reVth[k] = (1 - c[k]) * d.soft[k]; // soft = (1 - c) v
    alpha[k] = -(1 - v.tau[k]) * d.decay[k] - v.leak[k] * d.linear[k];
    gamma[k] = d.hard[k] - v.reVth[k] * d.soft[k]; // hard = c
  }
  const conduct = new Float64Array(T * P);
  for (let i = 0; i < T * P; i++) {
    conduct[i] = b[i % P] * d.gain[i]; // gain_t = 1 - b (1 - g_t)
    beta[i % P] -= (1 - v.g[i]) * d.gain[i];
  }
  return { tau, vth: d.threshold, leak, reVth, conduct, alpha, beta, gamma };
}

function rawGradient(dEffective: Float64Array, sig: Float32Array, frozen: boolean): Float32Array {
  const out = new Float32Array(dEffective.length);
  if (frozen) return out;
  for (let i = 0; i < out.length; i++) out[i] = dEffective[i] * sig[i] * (1 - sig[i]);
  return out;
}

function checkShapes(x: tf.Tensor, inputs: FusedInputs, T: number): number {
  const params = inputs.tensors.slice(1);
  const P = need(named(inputs.names, params), 'tau').size;
  inputs.names.forEach((name, j) => {
    const t = params[j]!;
    const want = name === 'conduct' ? T * P : P;
    if (t.size !== want) {
      throw new Error(`GLIF parameter ${name} has ${t.size} values, expected ${want} (${P} per step)`);
    }
    if (t.dtype !== 'float32') throw new Error(`GLIF parameters must be float32, got ${t.dtype}`);
  });
  if (x.dtype !== 'float32') throw new Error(`GLIF input must be float32, got ${x.dtype}`);
  if (P > 1 && x.shape[x.rank - 1] !== P) {
    throw new Error(
      `GLIF input has ${x.shape[x.rank - 1]} channels on its last axis, the parameters have ${P}`,
    );
  }
  return P;
}

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
  if (onWebGpu()) return glifSpikesWebGpu(x, params, spec, FUSED_GLIF_SCOPE);
  const T = params.conduct.shape[0];
  const mode = gateMode(spec.variant);
  const inputs = collectInputs(x, params, mode);
  const P = checkShapes(x, inputs, T);
  return tf.tidy(FUSED_GLIF_SCOPE, () => {
    const k = stepCoefficientArrays(readParams(inputs, mode, T, P).values);
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
  if (onWebGpu()) {
    const record = options.recordMembrane === true;
    return glifForwardWebGpu(x, params, spec, { record, window, scope: FUSED_GLIF_SCOPE });
  }
  const mode = gateMode(spec.variant);
  const inputs = collectInputs(x, params, mode);
  const { tensors } = inputs;
  const P = checkShapes(x, inputs, T);
  const record = options.recordMembrane === true;
  const size = x.size;

  const frozenGates = mode === 'static-soft' || mode === 'static-binary';
  /** dL/dx as a tensor and the raw parameters' gradients, from the coefficient gradients. */
  const gradients = (
    dx: tf.Tensor,
    values: EffectiveValues,
    sig: ByName<Float32Array>,
    d: CoefficientGradients,
  ) => {
    const dEff = effectiveGradients(values, d);
    const grads = inputs.names.map((name, j) => {
      const frozen = frozenGates && (GATES as readonly string[]).includes(name);
      return tf.tensor(
        rawGradient(need(dEff, name), need(sig, name), frozen),
        tensors[j + 1]!.shape,
        'float32',
      );
    });
    return [dx, ...grads];
  };

  const simd = simdPlan(x, P, T);
  const op = simd
    ? // On the wasm heap: the outputs are written in place and saved for the backward pass.
      tf.customGrad(((...args: unknown[]) => {
        const save = args[args.length - 1] as tf.GradSaveFunc;
        const { values, sig } = readParams(inputs, mode, T, P);
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
        const { values, sig } = readParams(inputs, mode, T, P);
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
