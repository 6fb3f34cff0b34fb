/**
 * The update of the sharded optimiser (sharded-sgd.ts): torch.optim.SGD over a stretch of the
 * flat parameters, with the gradient summed over the replicas' slots. Two implementations with
 * the same results bit for bit: the WebAssembly SIMD kernel on the group's shared memory
 * (kernels/simd/sgd.c), and the typed-array loop where that cannot run (no shared wasm memory, or
 * GLIF_SIMD=off).
 */
import { simdDisabledByEnv, wasmApi, type WasmMemory } from '../kernels/simd/module';
import { SGD_WASM_BASE64 } from '../kernels/simd/sgd.wasm';

export interface UpdateSettings {
  readonly weightDecay: number;
  readonly momentum: number;
  readonly lr: number;
  /** No momentum buffer yet: buf = d. */
  readonly first: boolean;
}

/** Where the update reads and writes: `slots` replicas' gradients of L values each, then p and buf. */
export interface UpdateArrays {
  readonly slots: Float32Array;
  readonly slotCount: number;
  readonly params: Float32Array;
  readonly momentum: Float32Array;
}

/**
 * torch.optim.SGD over [from, to) in float32, rounding after each operation as the Sgd class's
 * TF.js kernels do:
 *   g = sum of the slots (rank order);  d = g + wd p;  buf = d first, else m buf + d;  p -= lr buf
 * (a loop of its own, so V8 compiles it for these arrays alone).
 */
export function sgdUpdateLoop(a: UpdateArrays, from: number, to: number, settings: UpdateSettings): void {
  const { slots: g, params: p, momentum: buf } = a;
  const L = p.length;
  const slotsEnd = a.slotCount * L;
  const wd = Math.fround(settings.weightDecay);
  const m = Math.fround(settings.momentum);
  const rate = Math.fround(settings.lr);
  const first = settings.first;
  for (let j = from; j < to; j++) {
    let gj = g[j];
    for (let o = L + j; o < slotsEnd; o += L) gj = Math.fround(gj + g[o]);
    const pj = p[j];
    let d = wd > 0 ? Math.fround(gj + Math.fround(pj * wd)) : gj;
    if (m > 0) {
      if (!first) d = Math.fround(Math.fround(buf[j] * m) + d);
      buf[j] = d;
    }
    p[j] = Math.fround(pj - Math.fround(d * rate));
  }
}

interface SgdExports {
  sgd_update(
    p: number,
    buf: number,
    g: number,
    L: number,
    slots: number,
    from: number,
    to: number,
    wd: number,
    m: number,
    rate: number,
    first: number,
  ): void;
}

let compiled: object | null | undefined;

function sgdModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = new wasmApi.Module(Buffer.from(SGD_WASM_BASE64, 'base64'));
    } catch {
      compiled = null; // no WebAssembly SIMD or threads here
    }
  }
  return compiled;
}

/**
 * The update as a SIMD kernel on `memory`, the shared memory whose buffer holds `arrays`; undefined
 * where it cannot run (then sgdUpdateLoop does the same).
 */
export function sgdKernelOn(memory: WasmMemory, arrays: UpdateArrays): SgdKernel | undefined {
  if (simdDisabledByEnv()) return undefined;
  const module = sgdModule();
  if (!module) return undefined;
  for (const view of [arrays.slots, arrays.params, arrays.momentum])
    if (view.buffer !== memory.buffer) throw new Error('the update arrays must lie in the kernel memory');
  try {
    const instance = new wasmApi.Instance(module, { env: { memory } });
    const update = instance.exports.sgd_update;
    if (typeof update !== 'function') return undefined;
    return new SgdKernel(instance.exports as unknown as SgdExports, arrays);
  } catch {
    return undefined;
  }
}

export class SgdKernel {
  constructor(
    private readonly exports: SgdExports,
    private readonly arrays: UpdateArrays,
  ) {}

  update(from: number, to: number, settings: UpdateSettings): void {
    const { slots, params, momentum, slotCount } = this.arrays;
    this.exports.sgd_update(
      params.byteOffset,
      momentum.byteOffset,
      slots.byteOffset,
      params.length,
      slotCount,
      from,
      to,
      settings.weightDecay,
      settings.momentum,
      settings.lr,
      settings.first ? 1 : 0,
    );
  }
}
