import v8 from 'node:v8';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels.wasm';

/**
 * The WebAssembly SIMD kernels of the C files in kernels/, instantiated on the TF.js wasm backend's own memory,
 * so they read and write tensors where they lie. One instance per memory: each data-parallel
 * replica thread has its own backend, hence its own memory and instance.
 *
 * Every argument named `...Ptr` is a byte address on that memory; counts are elements.
 */
export interface SimdKernelExports {
  glif_forward(
    xPtr: number,
    spikesPtr: number,
    /** 0: do not store the membrane. */
    membranePtr: number,
    coefPtr: number,
    T: number,
    M: number,
    Q: number,
    paper: number,
  ): void;
  glif_backward(
    xPtr: number,
    spikesPtr: number,
    membranePtr: number,
    dSpikesPtr: number,
    /** 0: the membrane output has no gradient. */
    dMembranePtr: number,
    dxPtr: number,
    coefPtr: number,
    /** (5 + T) * Q floats of scratch for float32 partial sums. */
    partPtr: number,
    accPtr: number,
    T: number,
    M: number,
    Q: number,
    paper: number,
    half: number,
    height: number,
  ): void;
  channel_sums(xPtr: number, accPtr: number, rows: number, C: number): void;
  channel_square_deviations(xPtr: number, meanPtr: number, accPtr: number, rows: number, C: number): void;
  channel_affine(
    xPtr: number,
    yPtr: number,
    meanPtr: number,
    kPtr: number,
    bPtr: number,
    rows: number,
    C: number,
  ): void;
  batch_norm_grad_sums(
    xPtr: number,
    dyPtr: number,
    meanPtr: number,
    invStdPtr: number,
    accPtr: number,
    rows: number,
    C: number,
  ): void;
  batch_norm_grad_input(
    xPtr: number,
    dyPtr: number,
    dxPtr: number,
    meanPtr: number,
    aPtr: number,
    ePtr: number,
    dPtr: number,
    rows: number,
    C: number,
  ): void;
  /** NHWC, no dilation; Co a multiple of 4. Writes every value of dw [KH, KW, Ci, Co]. */
  conv2d_backprop_filter(
    xPtr: number,
    dyPtr: number,
    dwPtr: number,
    N: number,
    H: number,
    W: number,
    Ci: number,
    Ho: number,
    Wo: number,
    Co: number,
    KH: number,
    KW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
    /** Scratch: ceil(KH * KW * Ci / 4) * 4 * chunk floats (ceil(Ci / 4) * 4 * chunk when Ci is a multiple of 4). */
    xPanelPtr: number,
    /** Scratch: Co * chunk floats. */
    dyPanelPtr: number,
    /** Positions per chunk. */
    chunk: number,
  ): void;
  /** NHWC, no dilation; the filter packed as [KH, KW, Ci / 8, Co, 8], Ci a multiple of 8. Writes all of dx. */
  conv2d_backprop_input(
    dyPtr: number,
    packedFilterPtr: number,
    dxPtr: number,
    N: number,
    H: number,
    W: number,
    Ci: number,
    Ho: number,
    Wo: number,
    Co: number,
    KH: number,
    KW: number,
    strideH: number,
    strideW: number,
    padTop: number,
    padLeft: number,
  ): void;
  /** wp[kh, kw, ci / 8, co, ci % 8] = w[kh, kw, ci, co]; Ci a multiple of 8. */
  pack_filter_for_input_gradient(
    wPtr: number,
    wpPtr: number,
    KH: number,
    KW: number,
    Ci: number,
    Co: number,
  ): void;
  /** wp[kh, kw, co / 8, ci, co % 8] = w[KH-1-kh, KW-1-kw, ci, co]; Co a multiple of 8. */
  pack_filter_for_forward(wPtr: number, wpPtr: number, KH: number, KW: number, Ci: number, Co: number): void;
  /** U[xi, co / 8, ci, co % 8] from the 3x3 filter (rotated: w is [3, 3, Co, Ci], flipped). */
  winograd_filter_transform(wPtr: number, UPtr: number, Ci: number, Co: number, rotated: number): void;
  /** 3x3 stride-1 convolution by F(4x4, 3x3); U: 36 Ci Co, scratch V: 36 tc Ci, M: 36 tc Co floats. */
  winograd_conv3x3(
    xPtr: number,
    UPtr: number,
    yPtr: number,
    N: number,
    H: number,
    W: number,
    Ci: number,
    Ho: number,
    Wo: number,
    Co: number,
    padTop: number,
    padLeft: number,
    VPtr: number,
    MPtr: number,
    tilesPerChunk: number,
  ): void;
  /**
   * Filter gradient dw [3, 3, Ci, Co] of a 3x3 stride-1 convolution by F(3x3, 4x4); scratch
   * M: 36 Ci Co, V: 36 tc Ci, E: 36 tc Co floats. Ci a multiple of 4, Co of 8.
   */
  winograd_filter_grad3x3(
    xPtr: number,
    dyPtr: number,
    dwPtr: number,
    N: number,
    H: number,
    W: number,
    Ci: number,
    Ho: number,
    Wo: number,
    Co: number,
    padTop: number,
    padLeft: number,
    MPtr: number,
    VPtr: number,
    EPtr: number,
    tilesPerChunk: number,
  ): void;
  /** Non-overlapping windows fh x fw; C a multiple of 4. Writes all of dx [N, Ho fh, Wo fw, C]. */
  avg_pool_grad_tiled(
    dyPtr: number,
    dxPtr: number,
    N: number,
    Ho: number,
    Wo: number,
    C: number,
    fh: number,
    fw: number,
    scale: number,
  ): void;
}

const EXPORT_NAMES: readonly (keyof SimdKernelExports)[] = [
  'glif_forward',
  'glif_backward',
  'channel_sums',
  'channel_square_deviations',
  'channel_affine',
  'batch_norm_grad_sums',
  'batch_norm_grad_input',
  'conv2d_backprop_filter',
  'conv2d_backprop_input',
  'avg_pool_grad_tiled',
  'pack_filter_for_input_gradient',
  'pack_filter_for_forward',
  'winograd_filter_transform',
  'winograd_conv3x3',
  'winograd_filter_grad3x3',
];

/**
 * GLIF_SIMD=off turns the kernels off (the typed-array loops run instead); GLIF_SIMD=plain keeps
 * them but on the 128-bit SIMD build without fused multiply-adds. Both are for comparisons.
 */
export const SIMD_ENV_VAR = 'GLIF_SIMD';

function simdEnv(): string | undefined {
  return process.env[SIMD_ENV_VAR]?.trim().toLowerCase();
}

export function simdDisabledByEnv(): boolean {
  const v = simdEnv();
  return v === 'off' || v === '0' || v === 'false';
}

function relaxedDisabledByEnv(): boolean {
  return simdEnv() === 'plain';
}

/**
 * The WebAssembly API as this module uses it. The Node typings the main process compiles against
 * declare no WebAssembly globals (that is lib.dom's), so the few members used are typed here.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  readonly Memory: abstract new (...args: never[]) => WasmMemory;
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The two builds of the kernel module: with relaxed SIMD's fused multiply-adds, or 128-bit SIMD only. */
export type SimdBuild = 'relaxed' | 'plain';

const BUILDS: Record<SimdBuild, string> = {
  relaxed: KERNELS_RELAXED_WASM_BASE64,
  plain: KERNELS_WASM_BASE64,
};

/** Compiled builds of this thread; null where this engine cannot run that build. */
const compiledBuilds = new Map<SimdBuild, object | null>();

/**
 * One build, compiled once per thread, or null where this engine cannot run it. Node 20's V8
 * (11.3) has relaxed SIMD behind a flag that later V8s (Node 22, Electron) ship on, so where the
 * relaxed build does not validate the flag is turned on and it is tried once more: the flag only
 * widens what WebAssembly validation accepts. Synchronous compilation is allowed for a module of
 * this size in Node (browsers refuse it on their main thread, but training never runs there).
 */
function compiledBuild(build: SimdBuild): object | null {
  const known = compiledBuilds.get(build);
  if (known !== undefined) return known;
  const compile = (): object | null => {
    try {
      return new wasmApi.Module(Buffer.from(BUILDS[build], 'base64'));
    } catch {
      return null;
    }
  };
  let module = compile();
  if (!module && build === 'relaxed') {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    module = compile();
  }
  compiledBuilds.set(build, module);
  return module;
}

let chosen: SimdBuild | null | undefined;

/**
 * The build the kernels run: relaxed where the engine runs it (the convolutions' matrix products
 * in fused multiply-adds, 20-25% faster on the ResNet layers here), else plain, else none (no
 * WebAssembly SIMD: callers keep the typed-array loops).
 */
function chosenBuild(): SimdBuild | null {
  if (chosen !== undefined) return chosen;
  const order: SimdBuild[] = relaxedDisabledByEnv() ? ['plain'] : ['relaxed', 'plain'];
  chosen = order.find((build) => compiledBuild(build) !== null) ?? null;
  return chosen;
}

/** Whether the kernels run the relaxed-SIMD build (undefined before any kernel was loaded). */
export function simdKernelsRelaxed(): boolean | undefined {
  return chosen === undefined ? undefined : chosen === 'relaxed';
}

function isExports(e: Record<string, unknown>): e is Record<string, unknown> & SimdKernelExports {
  return EXPORT_NAMES.every((name) => typeof e[name] === 'function');
}

/** A new instance of one build on `memory`, or undefined where this engine cannot run it. */
export function instantiateKernels(memory: WasmMemory, build: SimdBuild): SimdKernelExports | undefined {
  const module = compiledBuild(build);
  if (!module) return undefined;
  const instance = new wasmApi.Instance(module, { env: { memory } });
  if (!isExports(instance.exports)) throw new Error('the SIMD kernel module lacks an expected export');
  return instance.exports;
}

const instances = new WeakMap<WasmMemory, SimdKernelExports>();

/** The kernels on `memory`, or undefined where WebAssembly SIMD cannot run them. */
export function simdKernelsOn(memory: WasmMemory): SimdKernelExports | undefined {
  const cached = instances.get(memory);
  if (cached) return cached;
  const build = chosenBuild();
  const kernels = build ? instantiateKernels(memory, build) : undefined;
  if (kernels) instances.set(memory, kernels);
  return kernels;
}
