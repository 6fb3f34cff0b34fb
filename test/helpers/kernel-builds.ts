import * as tf from '@tensorflow/tfjs-core';
import { activeWasmHeap } from '../../src-main/engine/kernels/simd/heap';
import { on } from './backend-compare';
import {
  instantiateKernels,
  type SimdBuild,
  type SimdKernelExports,
  type WasmMemory,
} from '../../src-main/engine/kernels/simd/module';

/** Both builds of the kernel module (kernels/*.c), so tests check each (the process itself runs only one). */
export const KERNEL_BUILDS: readonly SimdBuild[] = ['relaxed', 'plain'];

/**
 * Points the active wasm backend's SIMD kernels at a fresh instance of `build` on the same memory;
 * the returned function restores what ran before. The wasm backend must be active.
 */
export function useKernelBuild(build: SimdBuild): () => void {
  const heap = activeWasmHeap();
  if (!heap) throw new Error('the SIMD kernels must load on the wasm backend here');
  const memory = (tf.backend() as unknown as { wasm: { asm: { memory: WasmMemory } } }).wasm.asm.memory;
  const kernels = instantiateKernels(memory, build);
  if (!kernels) throw new Error(`the ${build} build of the SIMD kernels does not run here`);
  const writable = heap as unknown as { kernels: SimdKernelExports };
  const before = writable.kernels;
  writable.kernels = kernels;
  return () => {
    writable.kernels = before;
  };
}

/** `compute` on the wasm backend with `build`'s kernels (see useKernelBuild). */
export async function onWasmBuild<T>(build: SimdBuild, compute: () => T): Promise<T> {
  return on('wasm', () => {
    const restore = useKernelBuild(build);
    try {
      return compute();
    } finally {
      restore();
    }
  });
}
