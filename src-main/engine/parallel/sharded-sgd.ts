import * as tf from '@tensorflow/tfjs-core';
import type { NamedParameter } from '../nn/module';
import type { Sgd } from '../train/optimizer';
import { activeWasmHeap } from '../kernels/simd/heap';
import type { ReplicaGroup } from './collective';
import { sgdKernelOn, sgdUpdateLoop, type SgdKernel, type UpdateArrays } from './sgd-update';

/** One trainable parameter's place in the flat vectors and how it is trained. */
interface Segment {
  readonly param: NamedParameter;
  readonly offset: number;
  readonly size: number;
  readonly lrScale: number;
  readonly weightDecay: number;
}

/**
 * The optimiser of a data-parallel run, sharded over the replicas (as ZeRO stage 1 does): the
 * parameters and momentum live once, flat, in the group's shared memory; after the gradients are
 * written, each replica sums every replica's gradients over its own stretch and applies
 * torch.optim.SGD's update there, then all copy the new parameters into their models. Each
 * replica thus reads and updates 1/size of the state instead of all of it, and the momentum is
 * held once instead of in every replica. The arithmetic is the Sgd class's, in float32, element
 * by element in the same order (rounded after each operation, as TF.js's kernels round):
 *   d = g + wd * p;  buf = d on the first step, else momentum * buf + d;  p -= lr * buf
 * in WebAssembly SIMD on the group's shared memory, or a typed-array loop (sgd-update.ts).
 *
 * The replica's own Sgd holds no momentum while this one trains: `load` takes the Sgd's state and
 * the model's parameters into the shared vectors, `store` gives the momentum and step count back
 * (before the state is read out, then `release`; or before a step the replica takes alone, then
 * `load`).
 */
export class ShardedSgd {
  private readonly segments: Segment[] = [];
  /** Per segment: whether it has a momentum buffer yet (the first step sets buf = d). */
  private readonly started: boolean[];
  private steps = 0;
  private readonly arrays: UpdateArrays;
  /** The update in WebAssembly SIMD on the group's shared memory, where it runs. */
  private readonly kernel: SgdKernel | undefined;

  constructor(
    private readonly group: ReplicaGroup,
    private readonly sgd: Sgd,
  ) {
    this.arrays = {
      slots: group.slots,
      slotCount: group.size,
      params: group.params,
      momentum: group.momentum,
    };
    this.kernel = group.memory ? sgdKernelOn(group.memory, this.arrays) : undefined;
    let offset = 0;
    for (const param of sgd.trainable) {
      const { lrScale, weightDecay } = sgd.settings(param.role);
      this.segments.push({ param, offset, size: param.variable.size, lrScale, weightDecay });
      offset += param.variable.size;
    }
    if (offset !== group.gradientLength)
      throw new Error(`the group carries ${group.gradientLength} values, the optimiser ${offset}`);
    this.started = this.segments.map(() => false);
  }

  /** Takes the model's parameters and the Sgd's momentum into this replica's stretch; empties the Sgd. */
  load(): void {
    const [start, end] = this.group.range;
    const state = this.sgd.state();
    this.segments.forEach((s, i) => {
      const from = Math.max(start, s.offset);
      const to = Math.min(end, s.offset + s.size);
      const buffer = state.buffers.get(s.param.path);
      this.started[i] = buffer !== undefined;
      if (from >= to) return;
      const local = (t: tf.Tensor) => (t.dataSync() as Float32Array).subarray(from - s.offset, to - s.offset);
      this.group.params.set(local(s.param.variable), from);
      if (buffer) this.group.momentum.set(local(buffer), from);
    });
    this.steps = state.step;
    this.sgd.restore(this.steps, new Map());
  }

  /** Empties the Sgd again after `store` when nothing changed meanwhile (its state was only read). */
  release(): void {
    this.sgd.restore(this.steps, new Map());
  }

  /** Gives the momentum (the whole of it: every stretch is complete between steps) back to the Sgd. */
  store(): void {
    const buffers = new Map<string, tf.Tensor>();
    this.segments.forEach((s, i) => {
      if (!this.started[i]) return;
      const values = this.group.momentum.slice(s.offset, s.offset + s.size);
      buffers.set(s.param.path, tf.tensor(values, s.param.variable.shape, 'float32'));
    });
    this.sgd.restore(this.steps, buffers);
    tf.dispose([...buffers.values()]);
  }

  /** One update with this replica's share of the gradients (keyed by variable name). */
  step(grads: tf.NamedTensorMap, lr: number): void {
    const { group } = this;
    // On wasm, tensors are read and made where they lie on the heap: one copy each way.
    const heap = activeWasmHeap();
    group.reduceScatterUpdate(
      (slot) => {
        for (const s of this.segments) {
          const g = grads[s.param.variable.name];
          // A parameter the loss does not reach (none in our models) contributes zeros.
          if (!g) slot.fill(0, s.offset, s.offset + s.size);
          else if (heap) {
            const at = heap.address(g) / 4;
            slot.set(heap.heapF32().subarray(at, at + s.size), s.offset);
          } else slot.set(g.dataSync() as Float32Array, s.offset);
        }
      },
      (start, end) => this.update(start, end, lr),
    );
    tf.tidy(() => {
      for (const s of this.segments) {
        const values = group.params.subarray(s.offset, s.offset + s.size);
        const shape = s.param.variable.shape;
        if (heap) {
          const out = heap.output([...shape]);
          heap.heapF32().set(values, out.ptr / 4);
          s.param.variable.assign(out.tensor);
        } else {
          // A copy: the cpu backend keeps the array it is given, and these values change next step.
          s.param.variable.assign(tf.tensor(values.slice(), shape, 'float32'));
        }
      }
    });
    if (this.sgd.momentum > 0) this.started.fill(true);
    this.steps++;
  }

  /** Updates [start, end) with the slots' sum (summed in rank order inside the update). */
  private update(start: number, end: number, lr: number): void {
    const m = this.sgd.momentum;
    this.segments.forEach((s, i) => {
      const from = Math.max(start, s.offset);
      const to = Math.min(end, s.offset + s.size);
      if (from >= to) return;
      const settings = {
        weightDecay: s.weightDecay,
        momentum: m,
        lr: lr * s.lrScale,
        first: !this.started[i],
      };
      if (this.kernel) this.kernel.update(from, to, settings);
      else sgdUpdateLoop(this.arrays, from, to, settings);
    });
  }
}
