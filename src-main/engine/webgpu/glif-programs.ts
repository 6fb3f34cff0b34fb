/**
 * The GLIF time loop (glif/fused-loops.ts) as WGSL compute kernels for TF.js's webgpu backend.
 *
 * One invocation owns one lane: an element of a step, followed through the T steps (x is
 * time-major, channels last, M = size / T lanes, lane m has parameter slot m % P). Built from
 * TF.js ops, one layer is about a hundred small dispatches per training step, each a full pass
 * over the activation; here the forward is one dispatch and BPTT one more, plus one reduction.
 *
 * Same numbers as the other implementations. The forward rounds to float32 after every
 * operation, in the tf-ops path's order, so membranes and spikes are bit-identical to it. WGSL
 * lets a compiler contract a * b + c into one fused multiply-add, which would skip a rounding
 * and flip a spike now and then; every product that feeds an addition is therefore multiplied by
 * `one`, a uniform the compiler cannot see through. A contraction of (p * one) + c is exact, since
 * p * one = p, so the sum rounds exactly as the separate ops do. (Lavapipe does not contract: the
 * tests here pass without the guard too; GPU drivers may.)
 *
 * The backward pass writes dL/dx and, per lane, its share of the coefficient gradients; the
 * shares are summed per slot with a TF.js reduction. It accumulates in float32 (the CPU loops use
 * float64), so gradients agree within float32 rounding, which the parity fixtures' tolerances
 * allow.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { ResetForm } from '../glif/variants';

/** Rows of the packed [6, P] coefficient tensor the kernels read (GLIF_COEF_ROWS order). */
export const GLIF_COEF_ROWS = ['decay', 'hard', 'keepAfterSpike', 'linear', 'soft', 'threshold'] as const;

/** Rows of the backward kernel's per-lane partial sums, before the T gain rows. */
export const GLIF_GRAD_ROWS = ['decay', 'hard', 'linear', 'soft', 'threshold'] as const;

const WORKGROUP = 64;

/** Reads a coefficient row for slot c: coef is [6, P], row-major. */
const ROW = Object.fromEntries(GLIF_COEF_ROWS.map((name, r) => [name, r])) as Record<
  (typeof GLIF_COEF_ROWS)[number],
  number
>;

/**
 * Both kernels open alike: the lane's bounds, shape constants and slot c, and the slot's
 * coefficients (D decay, H hard, keep 1 - hard, L linear, Sf soft, th threshold).
 */
const LANE_PROLOGUE = `let M = uniforms.lanes;
      if (index >= M) { return; }
      let P = uniforms.channels;
      let T = uniforms.steps;
      let size = M * T;
      let c = index % P;
      let D = Coef[${ROW.decay} * P + c];
      let H = Coef[${ROW.hard} * P + c];
      let keep = Coef[${ROW.keepAfterSpike} * P + c];
      let L = Coef[${ROW.linear} * P + c];
      let Sf = Coef[${ROW.soft} * P + c];
      let th = Coef[${ROW.threshold} * P + c];`;

function lanesProgram(
  key: string,
  variableNames: string[],
  outputSize: number,
  lanes: number,
  body: string,
  uniforms: string,
): WebGPUProgram {
  return {
    variableNames,
    outputShape: [outputSize],
    shaderKey: key,
    dispatchLayout: { x: [0] },
    // One invocation per lane; the backend folds a dispatch over its per-dimension limit.
    dispatch: [Math.ceil(lanes / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    uniforms,
    getUserCode: () => body,
  };
}

/** The membrane update of one step, as the tf-ops path (neuron.ts nextMembrane) rounds it. */
function updateExpression(reset: ResetForm): string {
  return reset === 'paper-figure'
    ? // ((D u - L) kept - soft S) + drive
      '((((D * u) * one - L) * kept) * one - softS) + drive'
    : // ((D u kept - L) + drive) - soft S
      '((((D * u) * kept) * one - L) + drive) - softS';
}

/**
 * Forward over T steps: result is the spikes [size], then the membranes [size] when `membrane`.
 * Inputs: X [size], Coef [6 * P], Gain [T * P].
 */
export function glifForwardProgram(
  reset: ResetForm,
  membrane: boolean,
  size: number,
  steps: number,
): WebGPUProgram {
  const lanes = size / steps;
  const store = (at: string, value: string) =>
    membrane ? `result[${at}] = s; result[${at} + size] = ${value};` : `result[${at}] = s;`;
  const body = `
    fn main(index : i32) {
      ${LANE_PROLOGUE}
      let one = uniforms.one;
      var i = index;
      // u_{-1} = 0 and S_{-1} = 0: only the leak and the input remain.
      var u = (Gain[c] * X[i]) * one - L;
      var s = select(0.0, 1.0, u > th);
      ${store('i', 'u')}
      for (var t = 1; t < T; t++) {
        i = i + M;
        let drive = (Gain[t * P + c] * X[i]) * one;
        // S is 0 or 1: 1 - hard S is keepAfterSpike or 1, soft S is soft or 0, exactly.
        let spiked = s > 0.5;
        let kept = select(1.0, keep, spiked);
        let softS = select(0.0, Sf, spiked);
        u = ${updateExpression(reset)};
        s = select(0.0, 1.0, u > th);
        ${store('i', 'u')}
      }
    }`;
  return lanesProgram(
    `glif_forward_${reset}_${membrane ? 'membrane' : 'spikes'}`,
    ['X', 'Coef', 'Gain'],
    membrane ? 2 * size : size,
    lanes,
    body,
    'lanes : i32, channels : i32, steps : i32, one : f32,',
  );
}

/**
 * BPTT (glif/fused-loops.ts glifBackwardLoop, the same local derivatives): result is dL/dx
 * [size], then per lane the partial coefficient gradients, row-major [5 + T, M]: the
 * GLIF_GRAD_ROWS, then dL/dgain_t for each step t.
 * Inputs: X [size], Fwd [2 * size] (spikes, membranes), Dy [size] or [2 * size] (dL/dS, then
 * dL/du when the membrane output is used downstream), Coef [6 * P], Gain [T * P].
 */
export function glifBackwardProgram(
  reset: ResetForm,
  membraneGradient: boolean,
  size: number,
  steps: number,
): WebGPUProgram {
  const lanes = size / steps;
  const paper = reset === 'paper-figure';
  const body = `
    fn main(index : i32) {
      ${LANE_PROLOGUE}
      let halfWidth = uniforms.halfWidth;
      let height = uniforms.height;
      // Adjoints of u_t and S_t arriving from step t + 1.
      var carryU = 0.0;
      var carryS = 0.0;
      var accDecay = 0.0;
      var accHard = 0.0;
      var accLinear = 0.0;
      var accSoft = 0.0;
      var accTh = 0.0;
      let base = size + index;
      for (var t = T - 1; t >= 0; t--) {
        let i = index + t * M;
        let z = Fwd[size + i] - th;
        let viaSpike = (Dy[i] + carryS) * select(0.0, height, abs(z) < halfWidth);
        let gu = ${membraneGradient ? 'Dy[size + i] + viaSpike + carryU' : 'viaSpike + carryU'};
        accTh = accTh + viaSpike;
        result[i] = gu * Gain[t * P + c];
        result[base + (${GLIF_GRAD_ROWS.length} + t) * M] = gu * X[i];
        if (t == 0) {
          accLinear = accLinear + gu;
          break;
        }
        let up = Fwd[size + i - M];
        let s = Fwd[i - M];
        let kept = select(1.0, keep, s > 0.5);
        let guD = gu * D;
        accDecay = accDecay + gu * up * kept;
        accSoft = accSoft + gu * s;
        carryU = guD * kept;
        ${
          paper
            ? `let leaked = D * up - L;
        accLinear = accLinear + gu * kept;
        accHard = accHard + gu * leaked * s;
        carryS = -gu * (H * leaked + Sf);`
            : `accLinear = accLinear + gu;
        accHard = accHard + guD * up * s;
        carryS = -(H * guD * up + gu * Sf);`
        }
      }
      result[base] = accDecay;
      result[base + M] = -accHard;
      result[base + 2 * M] = -accLinear;
      result[base + 3 * M] = -accSoft;
      result[base + 4 * M] = -accTh;
    }`;
  return lanesProgram(
    `glif_backward_${reset}_${membraneGradient ? 'membrane' : 'spikes'}`,
    ['X', 'Fwd', 'Dy', 'Coef', 'Gain'],
    size + (GLIF_GRAD_ROWS.length + steps) * lanes,
    lanes,
    body,
    'lanes : i32, channels : i32, steps : i32, halfWidth : f32, height : f32,',
  );
}

/** Whether the active backend is TF.js's webgpu backend (the kernels' only home). */
export function onWebGpu(): boolean {
  return tf.getBackend() === 'webgpu';
}

type Uniform = { type: 'int32' | 'float32'; data: number[] };

/** Runs a program on the active webgpu backend; the inputs are flat float32 tensors. */
export function runGlifProgram(program: WebGPUProgram, inputs: tf.Tensor[], uniforms: Uniform[]): tf.Tensor {
  const backend = tf.backend() as WebGPUBackend;
  const info = backend.runWebGPUProgram(program, inputs, 'float32', uniforms);
  return tf.engine().makeTensorFromTensorInfo(info);
}

export function forwardUniforms(lanes: number, channels: number, steps: number): Uniform[] {
  return [
    { type: 'int32', data: [lanes] },
    { type: 'int32', data: [channels] },
    { type: 'int32', data: [steps] },
    { type: 'float32', data: [1] },
  ];
}

export function backwardUniforms(
  lanes: number,
  channels: number,
  steps: number,
  window: { half: number; height: number },
): Uniform[] {
  return [
    { type: 'int32', data: [lanes] },
    { type: 'int32', data: [channels] },
    { type: 'int32', data: [steps] },
    { type: 'float32', data: [window.half] },
    { type: 'float32', data: [window.height] },
  ];
}
