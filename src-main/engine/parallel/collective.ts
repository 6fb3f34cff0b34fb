/**
 * Collectives between the replicas of a data-parallel training run, over shared memory.
 *
 * Every replica runs in its own worker thread with its own TF.js backend. They execute the same
 * op sequence on different shards of a batch, so they reach the same collectives in the same
 * order (as NCCL or gloo ranks do). Two kinds are needed:
 * - small float64 gathers and sums inside a step (synchronised batch norm: per-channel moments
 *   and sums), and
 * - the float32 gradient reduce-scatter at the end of a step, which each replica follows with the
 *   optimiser's update of its own stretch of the parameters (sharded-sgd.ts).
 * Sums run in rank order 0, 1, ..., so every replica gets bit-identical results and a run is
 * repeatable for a given seed and replica count.
 *
 * A replica that fails sets the shared abort flag; the leader sets it too when a worker dies.
 * Every wait wakes up on it and throws, so one failure never leaves the others blocked.
 */

import type { WasmMemory } from '../kernels/simd/module';

/** Control words (Int32). */
const GENERATION = 0;
const ARRIVED = 1;
const ABORTED = 2;
const CONTROL_WORDS = 4;

/** Largest small collective, in float64 values per replica: 3 * channels + 1 of the widest tdBN. */
export const SMALL_CAPACITY = 8192;

/** What a replica needs to join the group (structured-cloneable: SharedArrayBuffers are shared). */
export interface GroupInit {
  readonly rank: number;
  readonly size: number;
  readonly control: SharedArrayBuffer;
  readonly small: SharedArrayBuffer;
  /**
   * size * gradientLength float32 slots (each replica's gradients), then the parameters and the
   * momentum, gradientLength each: the sharded optimiser's state (sharded-sgd.ts).
   */
  readonly gradients: SharedArrayBuffer;
  /**
   * The shared WebAssembly.Memory whose buffer `gradients` is, where one could be made: the
   * optimiser's SIMD update (sgd-update.ts) runs on it. Absent, the update's JS loop runs.
   */
  readonly memory?: WasmMemory;
  readonly gradientLength: number;
}

export class GroupAbortedError extends Error {
  constructor() {
    super('another training thread failed; this step was abandoned');
    this.name = 'GroupAbortedError';
  }
}

/** WebAssembly's page, and the most pages a wasm32 memory can have (4 GiB). */
const WASM_PAGE = 65536;
const WASM_MAX_PAGES = 65536;

interface SharedMemoryApi {
  readonly Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

/** A shared WebAssembly.Memory of at least `bytes`, which never grows; undefined where none can be made. */
function sharedWasmMemory(bytes: number): WasmMemory | undefined {
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
  if (pages > WASM_MAX_PAGES) return undefined;
  try {
    const api = (globalThis as unknown as { WebAssembly: SharedMemoryApi }).WebAssembly;
    const memory = new api.Memory({ initial: pages, maximum: pages, shared: true });
    return memory.buffer instanceof SharedArrayBuffer ? memory : undefined;
  } catch {
    return undefined;
  }
}

/** Creates the shared buffers of a group of `size` replicas reducing `gradientLength` values. */
export function createGroupBuffers(size: number, gradientLength: number): Omit<GroupInit, 'rank'> {
  const bytes = (size + 2) * gradientLength * 4;
  const memory = sharedWasmMemory(bytes);
  return {
    size,
    control: new SharedArrayBuffer(CONTROL_WORDS * 4),
    small: new SharedArrayBuffer(2 * size * SMALL_CAPACITY * 8),
    gradients: memory ? (memory.buffer as unknown as SharedArrayBuffer) : new SharedArrayBuffer(bytes),
    memory,
    gradientLength,
  };
}

/** Sets the abort flag of a group from outside (the leader, when a worker thread dies). */
export function abortGroup(control: SharedArrayBuffer): void {
  const words = new Int32Array(control);
  Atomics.store(words, ABORTED, 1);
  // Wake every waiter: they wait on the generation word.
  Atomics.add(words, GENERATION, 1);
  Atomics.notify(words, GENERATION);
}

export class ReplicaGroup {
  readonly rank: number;
  readonly size: number;
  private readonly control: Int32Array;
  private readonly small: Float64Array;
  /** Every replica's gradient slot, one after another (gradientLength each). */
  readonly slots: Float32Array;
  /** The parameters and momentum of every trainable parameter, flat, in the optimiser's order. */
  readonly params: Float32Array;
  readonly momentum: Float32Array;
  readonly gradientLength: number;
  /** The shared wasm memory the gradient slots, parameters and momentum lie in, if any. */
  readonly memory: WasmMemory | undefined;
  /** Small collectives so far: their parity picks the half of the small buffer (allGatherSmall). */
  private smallCalls = 0;

  constructor(init: GroupInit) {
    this.rank = init.rank;
    this.size = init.size;
    this.control = new Int32Array(init.control);
    this.small = new Float64Array(init.small);
    this.gradientLength = init.gradientLength;
    const L = init.gradientLength;
    this.memory = init.memory;
    // The memory's own buffer object where there is one: a kernel instantiated on it checks that
    // the views lie there (the posted `gradients` is the same memory under another object).
    const buffer = init.memory ? (init.memory.buffer as unknown as SharedArrayBuffer) : init.gradients;
    this.slots = new Float32Array(buffer, 0, init.size * L);
    this.params = new Float32Array(buffer, init.size * L * 4, L);
    this.momentum = new Float32Array(buffer, (init.size + 1) * L * 4, L);
  }

  get aborted(): boolean {
    return Atomics.load(this.control, ABORTED) !== 0;
  }

  /** Marks the group failed and wakes everyone (called by a replica whose step threw). */
  abort(): void {
    abortGroup(this.control.buffer as SharedArrayBuffer);
  }

  /**
   * Waits until all `size` replicas have arrived. A generation counter makes the barrier
   * reusable at once: the last to arrive resets the count and opens the next generation.
   */
  barrier(): void {
    const c = this.control;
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.load(c, ABORTED) !== 0) throw new GroupAbortedError();
    if (Atomics.add(c, ARRIVED, 1) === this.size - 1) {
      Atomics.store(c, ARRIVED, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    // A short spin first: the others are usually microseconds behind within a step.
    for (let spin = 0; spin < 2000; spin++) {
      if (Atomics.load(c, GENERATION) !== generation) return this.checkAborted();
    }
    while (Atomics.load(c, GENERATION) === generation) Atomics.wait(c, GENERATION, generation, 1000);
    this.checkAborted();
  }

  private checkAborted(): void {
    if (Atomics.load(this.control, ABORTED) !== 0) throw new GroupAbortedError();
  }

  /**
   * Every replica's `values` (at most SMALL_CAPACITY), in rank order; the arrays returned are copies.
   * One barrier: the slots alternate between two halves of the buffer from one call to the next, so
   * a replica that runs ahead writes the next call's values where nobody is still reading. It can
   * only come back to this half after the next call's barrier, which the slowest replica reaches
   * after it has read this one.
   */
  allGatherSmall(values: Float64Array): Float64Array[] {
    const n = values.length;
    if (n > SMALL_CAPACITY)
      throw new Error(`a collective of ${n} values exceeds the capacity ${SMALL_CAPACITY}`);
    const half = (this.smallCalls++ & 1) * this.size * SMALL_CAPACITY;
    this.small.set(values, half + this.rank * SMALL_CAPACITY);
    this.barrier();
    const all: Float64Array[] = [];
    for (let r = 0; r < this.size; r++) {
      const base = half + r * SMALL_CAPACITY;
      all.push(this.small.slice(base, base + n));
    }
    return all;
  }

  /** In place: `values` becomes the sum over replicas (rank order, float64). */
  allReduceSmall(values: Float64Array): void {
    const all = this.allGatherSmall(values);
    values.fill(0);
    for (const part of all) for (let i = 0; i < values.length; i++) values[i] += part[i];
  }

  /** This replica's stretch [start, end) of the flat gradient, parameter and momentum vectors. */
  get range(): [number, number] {
    const L = this.gradientLength;
    const chunk = Math.ceil(L / this.size);
    const start = Math.min(L, this.rank * chunk);
    return [start, Math.min(L, start + chunk)];
  }

  /**
   * A reduce-scatter and its update: `write` fills this replica's slot; after a barrier, `update`
   * runs on this replica's stretch with every slot complete (it sums them and updates its
   * stretch of the shared parameters); after a second barrier every stretch is done and the
   * caller may read the whole of `params`. No third barrier: the slots and `params` are written
   * again only after the next call's first barrier, which the slowest replica reaches after it
   * has finished reading.
   */
  reduceScatterUpdate(
    write: (slot: Float32Array) => void,
    update: (start: number, end: number) => void,
  ): void {
    const L = this.gradientLength;
    write(this.slots.subarray(this.rank * L, (this.rank + 1) * L));
    this.barrier();
    const [start, end] = this.range;
    update(start, end);
    this.barrier();
  }
}

/**
 * The group the current thread's synchronised layers reduce over; undefined when training on
 * one thread (then batch statistics are the local ones, as always).
 */
let current: ReplicaGroup | undefined;

export function setActiveGroup(group: ReplicaGroup | undefined): void {
  current = group;
}

export function activeGroup(): ReplicaGroup | undefined {
  return current;
}

/** Runs `fn` with no active group (evaluation, or a step one replica takes alone). */
export function withoutGroup<R>(fn: () => R): R {
  const before = current;
  current = undefined;
  try {
    return fn();
  } finally {
    current = before;
  }
}
