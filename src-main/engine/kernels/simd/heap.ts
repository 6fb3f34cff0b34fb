import * as tf from '@tensorflow/tfjs-core';
import {
  simdDisabledByEnv,
  simdKernelsOn,
  simdKernelsRelaxed,
  wasmApi,
  type SimdKernelExports,
  type WasmMemory,
} from './module';

/**
 * The parts of the TF.js wasm backend (tfjs-backend-wasm 4.22) the SIMD kernels use: its
 * emscripten module (memory, malloc) and where each tensor's values lie. Its typings keep these
 * on the class; they are checked at run time before use (isWasmBackend).
 */
interface EmscriptenModule {
  readonly asm: { readonly memory: WasmMemory };
  readonly HEAPF32: Float32Array;
  readonly HEAPF64: Float64Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

interface WasmBackendInternals {
  readonly wasm: EmscriptenModule;
  readonly dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

function isWasmBackend(b: unknown): b is WasmBackendInternals {
  const backend = b as Partial<WasmBackendInternals> | null;
  return (
    typeof backend?.makeOutput === 'function' &&
    typeof backend.dataIdMap?.get === 'function' &&
    backend.wasm?.asm?.memory instanceof wasmApi.Memory &&
    typeof backend.wasm._malloc === 'function'
  );
}

/**
 * The active wasm backend's heap with the SIMD kernels bound to it. Tensors are addressed in
 * place; outputs are allocated there and become tensors without a copy.
 */
export class WasmHeap {
  constructor(
    private readonly backend: WasmBackendInternals,
    readonly kernels: SimdKernelExports,
  ) {}

  /** Byte address of a float32 tensor's values; throws for a tensor of another backend. */
  address(t: tf.TensorInfo): number {
    const data = this.backend.dataIdMap.get(t.dataId);
    if (!data) throw new Error('tensor is not on the wasm backend');
    if (t.dtype !== 'float32') throw new Error(`SIMD kernels take float32 tensors, got ${t.dtype}`);
    return data.memoryOffset;
  }

  /** A new float32 tensor on the heap (values unset: the kernel writes every one) and its address. */
  output(shape: number[]): { tensor: tf.Tensor; ptr: number } {
    const { info, ptr } = this.kernelOutput(shape);
    const tensor = tf.engine().makeTensorFromTensorInfo(info, this.backend as unknown as tf.KernelBackend);
    return { tensor, ptr };
  }

  /** The same for a registered kernel, which returns the TensorInfo to the engine itself. */
  kernelOutput(shape: number[]): { info: tf.TensorInfo; ptr: number } {
    const info = this.backend.makeOutput(shape, 'float32');
    return { info, ptr: this.address(info) };
  }

  /**
   * Scratch memory for small arrays (coefficients, float64 sums): `f32` float32 values followed
   * by `f64` float64 values, zeroed. Freed by `free`. Addresses stay valid when the heap grows;
   * views must be taken again after any allocation (heapF32/heapF64 do).
   */
  scratch(f32: number, f64: number): { f32Ptr: number; f64Ptr: number } {
    const f32Bytes = Math.ceil(f32 / 2) * 8; // keeps the float64 part 8-byte aligned
    const base = this.backend.wasm._malloc(f32Bytes + f64 * 8 + 8);
    if (base === 0) throw new Error('out of wasm memory for kernel scratch space');
    const f32Ptr = Math.ceil(base / 8) * 8;
    const f64Ptr = f32Ptr + f32Bytes;
    this.heapF64().fill(0, f64Ptr / 8, f64Ptr / 8 + f64);
    this.allocations.set(f32Ptr, base);
    return { f32Ptr, f64Ptr };
  }

  private readonly allocations = new Map<number, number>();

  free(f32Ptr: number): void {
    const base = this.allocations.get(f32Ptr);
    if (base === undefined) return;
    this.allocations.delete(f32Ptr);
    this.backend.wasm._free(base);
  }

  heapF32(): Float32Array {
    return this.backend.wasm.HEAPF32;
  }

  heapF64(): Float64Array {
    return this.backend.wasm.HEAPF64;
  }

  /** Copies `values` to float32 address `ptr`. */
  writeF32(ptr: number, values: ArrayLike<number>, offset = 0): void {
    this.heapF32().set(values, ptr / 4 + offset);
  }

  /** A copy of `n` float64 values at `ptr`. */
  readF64(ptr: number, n: number): Float64Array {
    return this.heapF64().slice(ptr / 8, ptr / 8 + n);
  }
}

const heaps = new WeakMap<object, WasmHeap>();

/**
 * The SIMD kernels on the active backend, or undefined where they cannot run (another backend,
 * no WebAssembly SIMD, GLIF_SIMD=off): callers then keep their typed-array loops.
 */
export function activeWasmHeap(): WasmHeap | undefined {
  if (simdDisabledByEnv() || tf.getBackend() !== 'wasm') return undefined;
  const backend: unknown = tf.backend();
  if (!isWasmBackend(backend)) return undefined;
  const cached = heaps.get(backend);
  if (cached) return cached;
  const kernels = simdKernelsOn(backend.wasm.asm.memory);
  if (!kernels) return undefined;
  const heap = new WasmHeap(backend, kernels);
  heaps.set(backend, heap);
  return heap;
}

/** What the SIMD kernels do here, for `glif info` and the app's system report. */
export interface SimdKernelStatus {
  readonly state: 'active' | 'off' | 'not-used' | 'unavailable';
  readonly detail: string;
}

/** Ops our SIMD kernels compute on wasm (the rest are TF.js's own kernels). */
export const SIMD_KERNEL_OPS =
  'fused GLIF, tdBN (training), stride-1 convolutions, both convolution gradients, AvgPoolGrad';

export function simdKernelStatus(): SimdKernelStatus {
  if (simdDisabledByEnv())
    return { state: 'off', detail: 'off (GLIF_SIMD=off): TF.js kernels and JS loops run instead' };
  const backend = tf.getBackend();
  if (backend !== 'wasm')
    return { state: 'not-used', detail: `not used on the ${backend} backend (wasm only)` };
  if (!activeWasmHeap())
    return {
      state: 'unavailable',
      detail: 'unavailable: this JavaScript engine cannot run WebAssembly SIMD',
    };
  const build = simdKernelsRelaxed()
    ? 'relaxed SIMD, fused multiply-adds'
    : '128-bit SIMD without fused multiply-adds';
  return {
    state: 'active',
    detail: `active: ${SIMD_KERNEL_OPS}; ${build} (GLIF_SIMD=off or plain to compare)`,
  };
}
