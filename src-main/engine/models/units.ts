import * as tf from '@tensorflow/tfjs-core';
import { Sequential, type SynapticInput } from '../nn/module';
import type { InputShape } from './model';
import type { LayerFactory } from './factory';

/**
 * Building blocks shared by several architectures. Naming follows basic-block.ts: the official
 * `SeqToANNContainer(conv, bn)` becomes a Sequential of [conv, norm] (the container's own
 * `module.` level is dropped), so a stem conv weight is `conv1.0.0.weight`.
 */

/** conv (no bias) + tdBN/BN: one `SeqToANNContainer(conv, norm)`. */
export function convNorm(
  f: LayerFactory,
  inC: number,
  outC: number,
  kernel: number,
  stride: number,
  padding: number,
  alpha = 1,
  input: SynapticInput = 'spikes',
): Sequential {
  return new Sequential([f.conv(inC, outC, kernel, stride, padding, false, input), f.norm(outC, alpha)]);
}

/** conv + norm + GLIF, the DVS model's `conv3x3_GLIF` / `conv1x1_GLIF` unit. */
export function convNormGlif(f: LayerFactory, inC: number, outC: number, kernel: 1 | 3): Sequential {
  return new Sequential([convNorm(f, inC, outC, kernel, 1, kernel === 3 ? 1 : 0), f.glif(outC)]);
}

/**
 * The CIFAR ResNets' `lastave`: two bare linears 512 -> 256 -> classes when there are at most 50
 * classes, a single 512 -> classes otherwise (the official `n_class > 50` test), or a single one
 * whatever the classes with `single` (the `_softsimple` twins); no biases. `input` is what the
 * first linear receives (pooled spikes, or MS-ResNet's real-valued block output); the second one
 * always gets the first one's real-valued output.
 */
export function resnetHead(
  f: LayerFactory,
  inFeatures: number,
  numClasses: number,
  single = false,
  input: SynapticInput = 'spikes',
): Sequential {
  return new Sequential(
    single || numClasses > 50
      ? [f.linear(inFeatures, numClasses, false, input)]
      : [f.linear(inFeatures, 256, false, input), f.linear(256, numClasses, false, 'real')],
  );
}

/**
 * [M, H, W, C] -> [M, H*W*C]. The order is NHWC's (h, w, c), not PyTorch's (c, h, w): weights of a
 * Linear after a flatten need a row permutation to be exchanged with the official checkpoints.
 */
export function flattenRows(x: tf.Tensor): tf.Tensor {
  return tf.reshape(x, [x.shape[0], -1]);
}

/** Spatial size after a PyTorch conv / pool: floor((size + 2p - k) / s) + 1. */
export function outputSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

export function assertPositiveShape(arch: string, shape: InputShape): void {
  if (!shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`${arch}: input shape must be positive integers, got [${shape.join(', ')}]`);
  }
}

export function assertDivisible(arch: string, shape: InputShape, by: number): void {
  assertPositiveShape(arch, shape);
  if (shape[0] % by !== 0 || shape[1] % by !== 0) {
    throw new Error(
      `${arch}: input height and width must be multiples of ${by}, got ${shape[0]}x${shape[1]}`,
    );
  }
}

/** Stride-2 stages after the ImageNet stem (every stage of ResNet-34 and MS-ResNet-18 starts with one). */
const IMAGENET_STAGES = 4;

/**
 * The ImageNet ResNets' `conv1` (`ResNet_34_stand_CW`, `ResNet_18_stand_CW_MS`): conv7x7 (in -> 64),
 * stride 2, padding 1 (224 -> 110; the authors' code has no max-pool), + norm, GLIF(64). Throws when
 * the input is too small to survive the stem and the four stride-2 stages that follow it.
 */
export function imagenetStem(f: LayerFactory, arch: string, inputShape: InputShape, width = 64): Sequential {
  assertPositiveShape(arch, inputShape);
  let size = outputSize(Math.min(inputShape[0], inputShape[1]), 7, 2, 1);
  for (let s = 0; s < IMAGENET_STAGES; s++) size = outputSize(size, 3, 2, 1);
  if (size < 1)
    throw new Error(`${arch}: input ${inputShape[0]}x${inputShape[1]} is too small (five stride-2 stages)`);
  return new Sequential([convNorm(f, inputShape[2], width, 7, 2, 1), f.glif(width)]);
}
