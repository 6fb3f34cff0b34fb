/**
 * The one interface through which the engine (models, trainer) consumes data.
 *
 * Batches are plain typed arrays, never tensors: the data layer stays
 * independent of the TF.js backend and cannot leak GPU/WASM memory; the
 * trainer turns a batch into a tensor with `tf.tensor(batch.x, batch.shape)`.
 */
import type { Rng } from '../random';

export type Split = 'train' | 'test';

/**
 * - `static`: one image per sample; `Batch.x` is NHWC [n, h, w, c]. Models
 *   repeat it over their T time steps (reference section 6).
 * - `frames`: a fixed sequence of `timeSteps` frames per sample (DVS);
 *   `Batch.x` is [n, T, h, w, c]. The reference feeds [N, T, 2, H, W] and
 *   permutes to time-major; ours is channel-last per frame.
 */
export type DatasetKind = 'static' | 'frames';

export interface DatasetInfo {
  /** Registry name, e.g. 'fashion-mnist', 'cifar10', 'cifar10-dvs', 'synthetic'. */
  readonly name: string;
  readonly kind: DatasetKind;
  /** Shape of one image or one frame: [height, width, channels]. */
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  readonly trainSize: number;
  readonly testSize: number;
  /** Frames per sample, fixed by the event-to-frame conversion. Only for kind 'frames'. */
  readonly timeSteps?: number;
  readonly classNames?: readonly string[];
  /**
   * Per-channel normalisation already applied to the pixels, x' = (x - mean) / std
   * with x in [0, 1]; absent when the values are passed through as they are.
   */
  readonly normalization?: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** What training augmentation `augment: true` applies, in words (for the UI and logs). */
  readonly augmentation: string;
  /** Where the data came from (directory, archive, or a description). */
  readonly source: string;
}

/** Progress of a dataset's slow preparation (DVS frame conversion, an image folder's decoding). */
export interface PrepareProgress {
  readonly split: Split;
  /** 'cached': a valid cache was found; 'convert': one more file converted; 'done': split ready. */
  readonly phase: 'cached' | 'convert' | 'done';
  readonly done: number;
  readonly total: number;
  /** The file just converted (phase 'convert'). */
  readonly file?: string;
  /** Why the cache had to be (re)built (first 'convert' report of a split). */
  readonly reason?: string;
}

export interface Batch {
  /** Sample values, row-major in `shape`. */
  readonly x: Float32Array;
  /** Class labels, 0..numClasses-1. */
  readonly y: Int32Array;
  /** Number of samples in this batch (the last batch of an epoch may be short). */
  readonly n: number;
  /** [n, h, w, c] for static datasets, [n, T, h, w, c] for frames. */
  readonly shape: readonly number[];
  /** Index of each sample within its split, for debugging and tests. */
  readonly indices: Int32Array;
}

export interface BatchOptions {
  readonly batchSize: number;
  /** Draw a new random order of the (limited) split from `rng` at the start of the pass. */
  readonly shuffle: boolean;
  /** Apply the dataset's training augmentation (random draws come from `rng`). */
  readonly augment: boolean;
  /** Source of all randomness of this pass; it is advanced as batches are produced. */
  readonly rng: Rng;
  /** Use only the first `limit` samples of the split (quick runs). */
  readonly limit?: number;
  /** Leave out a last, short batch (the reference's DVS training loader does). Default false. */
  readonly dropLast?: boolean;
}

export interface Dataset {
  readonly info: DatasetInfo;
  /** One pass (epoch) over the split. Each call starts a new pass. */
  batches(split: Split, opts: BatchOptions): AsyncIterable<Batch>;
  /** Releases what the dataset holds open (files); idempotent. In-memory datasets do nothing. */
  close(): Promise<void>;
}

export function splitSize(info: DatasetInfo, split: Split): number {
  return split === 'train' ? info.trainSize : info.testSize;
}

/** Number of values in one sample of `info` (what `Batch.x.length / n` is). */
export function sampleLength(info: DatasetInfo): number {
  const [h, w, c] = info.inputShape;
  return h * w * c * (info.kind === 'frames' ? (info.timeSteps ?? 1) : 1);
}
