/**
 * A deterministic synthetic classification set for smoke runs and tests: each
 * class has a fixed blocky pattern (a random on/off grid, upsampled), and each
 * sample is its class pattern plus Gaussian noise, clipped to [0, 1]. A small
 * network separates the classes within a few hundred steps.
 *
 * Samples are computed on demand from (seed, split, index), so nothing is held
 * in memory and a sample is the same whatever order or batch it comes in.
 * With `timeSteps`, samples are frame sequences (kind 'frames') whose pixels
 * fire (value 1) with probability = the noisy pattern value, independently per
 * frame, which mimics event frames for DVS model smoke runs.
 */
import { Rng } from '../random';
import { batchIndexGroups } from './batching';
import type { Batch, BatchOptions, Dataset, DatasetInfo, Split } from './dataset';

export interface SyntheticOptions {
  readonly seed?: number;
  readonly height?: number;
  readonly width?: number;
  /** Default 1, or 2 with timeSteps (like DVS polarity channels). */
  readonly channels?: number;
  readonly numClasses?: number;
  readonly trainSize?: number;
  readonly testSize?: number;
  /** Standard deviation of the per-pixel Gaussian noise. Default 0.3. */
  readonly noise?: number;
  /** Cells per side of each class's on/off grid. Default 4. */
  readonly grid?: number;
  /** Produce frame sequences of this length instead of static images. */
  readonly timeSteps?: number;
}

const SPLIT_TAG: Record<Split, number> = { train: 0x51ed270b, test: 0x2c1b3c6d };

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new RangeError(`synthetic ${name} must be a positive integer, got ${v}`);
  return v;
}

class SyntheticDataset implements Dataset {
  readonly info: DatasetInfo;
  private readonly patterns: Float32Array[];
  private readonly h: number;
  private readonly w: number;
  private readonly c: number;
  private readonly seed32: number;

  constructor(private readonly opts: SyntheticOptions) {
    const seed = opts.seed ?? 0;
    this.h = positiveInt('height', opts.height ?? 16);
    this.w = positiveInt('width', opts.width ?? 16);
    this.c = positiveInt('channels', opts.channels ?? (opts.timeSteps ? 2 : 1));
    const numClasses = positiveInt('numClasses', opts.numClasses ?? 10);
    const grid = positiveInt('grid', opts.grid ?? 4);
    if (opts.timeSteps !== undefined) positiveInt('timeSteps', opts.timeSteps);
    for (const [name, v] of [
      ['trainSize', opts.trainSize],
      ['testSize', opts.testSize],
    ] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
        throw new RangeError(`synthetic ${name} must be a non-negative integer, got ${v}`);
      }
    }
    this.seed32 = new Rng(seed).uint32();
    const rng = new Rng(seed);
    this.patterns = [];
    for (let k = 0; k < numClasses; k++) {
      const p = new Float32Array(this.h * this.w * this.c);
      const cells = Array.from({ length: grid * grid * this.c }, () => (rng.next() < 0.5 ? 0.15 : 0.85));
      for (let r = 0; r < this.h; r++) {
        for (let q = 0; q < this.w; q++) {
          const cell = Math.floor((r * grid) / this.h) * grid + Math.floor((q * grid) / this.w);
          for (let ch = 0; ch < this.c; ch++) p[(r * this.w + q) * this.c + ch] = cells[cell * this.c + ch];
        }
      }
      this.patterns.push(p);
    }
    this.info = {
      name: 'synthetic',
      kind: opts.timeSteps ? 'frames' : 'static',
      inputShape: [this.h, this.w, this.c],
      timeSteps: opts.timeSteps,
      numClasses,
      trainSize: opts.trainSize ?? 2000,
      testSize: opts.testSize ?? 500,
      classNames: Array.from({ length: numClasses }, (_, k) => `pattern ${k}`),
      augmentation: 'none',
      source: `synthetic (seed ${seed}, ${numClasses} classes, noise ${opts.noise ?? 0.3})`,
    };
  }

  /** The generator of one sample: independent of the pass, the batch and the order. */
  private sampleRng(split: Split, index: number): Rng {
    return new Rng((SPLIT_TAG[split] ^ Math.imul(index + 1, 0x85ebca6b) ^ this.seed32) >>> 0);
  }

  /** Writes sample `index` at `off`; returns its label. */
  sample(split: Split, index: number, dst: Float32Array, off: number): number {
    const rng = this.sampleRng(split, index);
    const label = rng.int(this.info.numClasses);
    const pattern = this.patterns[label];
    const noise = this.opts.noise ?? 0.3;
    const T = this.opts.timeSteps;
    const len = pattern.length;
    const clip = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
    if (T === undefined) {
      for (let i = 0; i < len; i++) dst[off + i] = clip(pattern[i] + noise * rng.normal());
    } else {
      const prob = new Float32Array(len);
      for (let i = 0; i < len; i++) prob[i] = clip(pattern[i] + noise * rng.normal());
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < len; i++) dst[off + t * len + i] = rng.next() < prob[i] ? 1 : 0;
      }
    }
    return label;
  }

  async *batches(split: Split, opts: BatchOptions): AsyncGenerator<Batch> {
    const size = split === 'train' ? this.info.trainSize : this.info.testSize;
    const T = this.opts.timeSteps;
    const sampleLen = this.h * this.w * this.c * (T ?? 1);
    for (const group of batchIndexGroups(size, opts)) {
      const n = group.length;
      const x = new Float32Array(n * sampleLen);
      const y = new Int32Array(n);
      for (let b = 0; b < n; b++) y[b] = this.sample(split, group[b], x, b * sampleLen);
      const shape = T === undefined ? [n, this.h, this.w, this.c] : [n, T, this.h, this.w, this.c];
      yield { x, y, n, shape, indices: Int32Array.from(group) };
    }
  }

  async close(): Promise<void> {}
}

export function openSynthetic(opts: SyntheticOptions = {}): Dataset {
  return new SyntheticDataset(opts);
}
