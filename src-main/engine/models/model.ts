import * as tf from '@tensorflow/tfjs-core';
import { GlifLayer } from '../glif/layer';
import type { ArchId } from '../config/types';
import { unfoldTime, type ForwardContext, type Module } from '../nn/module';

/** The architectures the workbench can build (reference glif.md section 7, plus two small ones). */
export type { ArchId };

export const ARCH_IDS: readonly ArchId[] = [
  'fmnist-cnn',
  'mlp',
  'cifarnet',
  'resnet19',
  'resnet18',
  'resnet34',
  'ms-resnet18',
  'wide7b',
];

export function isArchId(id: string): id is ArchId {
  return (ARCH_IDS as readonly string[]).includes(id);
}

/** [height, width, channels] of one input frame (NHWC). */
export type InputShape = readonly [height: number, width: number, channels: number];

export interface ParameterCounts {
  /** Every parameter, BN affine and frozen gates included (running statistics are buffers, not counted). */
  readonly total: number;
  /** Parameters owned by GLIF layers: primitives and gates. */
  readonly glif: number;
  readonly glifLayers: number;
}

export interface Model {
  readonly arch: ArchId;
  readonly T: number;
  readonly root: Module;
  readonly numClasses: number;
  readonly inputShape: InputShape;
  /** Logits averaged over T, [N, classes], from folded input [T*N, H, W, C]. */
  logits(x: tf.Tensor, ctx: ForwardContext): tf.Tensor;
  /** GLIF layers in forward order; each knows its dotted path. */
  glifLayers(): GlifLayer[];
  countParameters(): ParameterCounts;
  dispose(): void;
}

/** [T*N, K] per-step outputs -> [N, K] mean over time (the official decoding, section 6). */
export function meanOverTime(folded: tf.Tensor, T: number): tf.Tensor {
  return tf.tidy(() => tf.mean(unfoldTime(folded, T), 0));
}

export function countParameters(root: Module): ParameterCounts {
  let total = 0;
  let glif = 0;
  for (const p of root.parameters()) {
    total += p.variable.size;
    if (p.role !== 'weight') glif += p.variable.size;
  }
  return { total, glif, glifLayers: findGlifLayers(root).length };
}

/**
 * Depth-first in registration order; every model registers its children in the order its
 * forward pass uses them, so this is forward order.
 */
export function findGlifLayers(root: Module): GlifLayer[] {
  return root.modules().filter((m): m is GlifLayer => m instanceof GlifLayer);
}

/** Wraps an architecture's root module (whose forward returns folded per-step logits). */
export class SpikingModel implements Model {
  constructor(
    readonly arch: ArchId,
    readonly root: Module,
    readonly T: number,
    readonly numClasses: number,
    readonly inputShape: InputShape,
  ) {}

  logits(x: tf.Tensor, ctx: ForwardContext): tf.Tensor {
    if (ctx.T !== this.T) throw new Error(`model ${this.arch} was built for T=${this.T}, got T=${ctx.T}`);
    const [h, w, c] = this.inputShape;
    if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c) {
      throw new Error(
        `model ${this.arch} expects folded input [T*N, ${h}, ${w}, ${c}], got [${x.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() => meanOverTime(this.root.forward(x, ctx), this.T));
  }

  glifLayers(): GlifLayer[] {
    return findGlifLayers(this.root);
  }

  countParameters(): ParameterCounts {
    return countParameters(this.root);
  }

  dispose(): void {
    this.root.dispose();
  }
}
