/**
 * CIFAR10-DVS as the GLIF reference trains on it (cifar10dvs/train.py with
 * `--dsr_da`): SpikingJelly frames (split_by='number', T frames, 2 polarity
 * channels, event counts), resized to 48x48, split 90/10 per class, training
 * augmentation RandomCrop(48, padding=4) and no flip.
 *
 * Raw data: ten class folders (airplane ... truck) of `.aedat` files, either
 * directly under `path` or under `path/extract` (SpikingJelly's layout).
 *
 * Split (the reference's own split_to_train_test_set(0.9, ..., random_split=False)):
 * within each class, in torchvision DatasetFolder order (file names sorted by
 * code point, as Python sorts the converted `<stem>.npz` names), the first
 * ceil(0.9 n) files are training samples and the rest test samples; classes
 * follow each other in label order.
 *
 * Frames are converted once and cached on disk (dvs-cache.ts), then read per
 * batch. Batch layout: [n, T, 48, 48, 2], channel = polarity p.
 */
import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { DVS_SENSOR_SIZE, parseAedat } from './aedat';
import { type Augmentation, describeAugmentation, drawCropFlip, identityCrop, sourceIndex } from './augment';
import { yieldToEventLoop } from '../event-loop';
import { batchIndexGroups } from './batching';
import { CIFAR10_CLASSES } from './class-names';
import type { Batch, BatchOptions, Dataset, DatasetInfo, PrepareProgress, Split } from './dataset';
import {
  type CacheShape,
  DVS_CACHE_VERSION,
  FrameCacheReader,
  sampleFloats,
  writeFrameCache,
} from './dvs-cache';
import { DatasetError } from './errors';
import { eventsToFrames } from './frames';
import { progressThrottle } from './progress-throttle';
import { fsError, statOrNull } from './read-file';

export const DVS_FRAME_SIZE = 48;
export const DVS_TRAIN_RATIO = 0.9;
export const DVS_AUGMENTATION: Augmentation = { kind: 'crop-flip', pad: 4, flip: false };

export type DvsProgress = PrepareProgress;

export interface Cifar10DvsOptions {
  /** Folder with the ten class folders, or SpikingJelly's root with them under extract/. */
  readonly path: string;
  /** Frames per sample (the reference uses 16). */
  readonly timeSteps: number;
  /** Where to keep converted frames; default `<data folder>/glif-frames-cache`. */
  readonly cacheDir?: string;
  /** Frame side after resizing; default 48 as in the reference. */
  readonly size?: number;
  readonly onProgress?: (p: DvsProgress) => void;
}

export interface DvsSample {
  /** Path relative to the data folder, '<class>/<file>.aedat'. */
  readonly relPath: string;
  readonly label: number;
  readonly bytes: number;
}

/** Python's sorted() order for str: by code point (not locale). */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function findRoot(p: string): Promise<string> {
  const st = await statOrNull(p);
  if (!st?.isDirectory()) throw new DatasetError(p, 'CIFAR10-DVS folder not found');
  for (const dir of [p, path.join(p, 'extract')]) {
    if ((await statOrNull(path.join(dir, CIFAR10_CLASSES[0])))?.isDirectory()) return dir;
  }
  return p;
}

/** Lists the samples of each split in the reference's order. */
export async function listDvsSamples(root: string): Promise<Record<Split, DvsSample[]>> {
  const train: DvsSample[] = [];
  const test: DvsSample[] = [];
  for (let label = 0; label < CIFAR10_CLASSES.length; label++) {
    const cls = CIFAR10_CLASSES[label];
    const dir = path.join(root, cls);
    let names: string[];
    try {
      names = (await fsp.readdir(dir)).filter((n) => n.toLowerCase().endsWith('.aedat'));
    } catch {
      throw new DatasetError(
        dir,
        `missing class folder ${cls}: expected the ten folders ${CIFAR10_CLASSES.join(', ')} in ${root}`,
      );
    }
    if (names.length === 0) throw new DatasetError(dir, `class folder ${cls} has no .aedat files`);
    // SpikingJelly sorts the converted '<stem>.npz' names, not the .aedat names.
    const npz = (n: string): string => `${n.slice(0, n.lastIndexOf('.'))}.npz`;
    names.sort((a, b) => byCodePoint(npz(a), npz(b)));
    const samples: DvsSample[] = [];
    for (const n of names) {
      const st = await statOrNull(path.join(dir, n));
      if (st?.isFile()) samples.push({ relPath: `${cls}/${n}`, label, bytes: st.size });
    }
    const pos = Math.ceil(samples.length * DVS_TRAIN_RATIO);
    train.push(...samples.slice(0, pos));
    test.push(...samples.slice(pos));
  }
  return { train, test };
}

/** Identifies the sources and conversion settings; a different value invalidates the cache. */
function fingerprint(samples: DvsSample[], shape: CacheShape, split: Split): Buffer {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: DVS_CACHE_VERSION, split, shape, splitBy: 'number', resize: 'bilinear' }));
  for (const s of samples) h.update(`\n${s.relPath}\t${s.bytes}\t${s.label}`);
  return h.digest();
}

async function prepareSplit(
  root: string,
  cacheDir: string,
  split: Split,
  samples: DvsSample[],
  shape: CacheShape,
  onProgress: ((p: DvsProgress) => void) | undefined,
): Promise<FrameCacheReader> {
  const file = path.join(cacheDir, `cifar10dvs-T${shape.timeSteps}-${shape.height}px-${split}.bin`);
  const fp = fingerprint(samples, shape, split);
  const existing = await FrameCacheReader.open(file, shape, samples.length, fp);
  if (existing instanceof FrameCacheReader) {
    onProgress?.({ split, phase: 'cached', done: samples.length, total: samples.length });
    return existing;
  }
  try {
    await fsp.mkdir(cacheDir, { recursive: true });
  } catch (err) {
    throw new DatasetError(
      cacheDir,
      `cannot create the frame cache folder (${fsError(cacheDir, err).problem}); set GLIF_CACHE_DIR to keep the caches elsewhere`,
    );
  }
  const labels = Int32Array.from(samples, (s) => s.label);
  let reason: string | undefined = existing.unusable;
  const report = progressThrottle();
  await writeFrameCache(file, shape, labels, fp, async (i) => {
    const src = path.join(root, samples[i].relPath);
    let buf: Buffer;
    try {
      buf = await fsp.readFile(src);
    } catch (err) {
      throw fsError(src, err);
    }
    const frames = eventsToFrames(parseAedat(buf, src), shape.timeSteps, DVS_SENSOR_SIZE, shape.height);
    // The first file, the last and about one a second between: not a log line per file.
    if (report(i + 1, samples.length)) {
      onProgress?.({ split, phase: 'convert', done: i + 1, total: samples.length, file: src, reason });
      reason = undefined;
    }
    await yieldToEventLoop();
    return frames;
  });
  const reader = await FrameCacheReader.open(file, shape, samples.length, fp);
  if (!(reader instanceof FrameCacheReader)) {
    throw new DatasetError(file, `frame cache unusable right after writing it: ${reader.unusable}`);
  }
  onProgress?.({ split, phase: 'done', done: samples.length, total: samples.length });
  return reader;
}

class Cifar10DvsDataset implements Dataset {
  constructor(
    readonly info: DatasetInfo,
    private readonly shape: CacheShape,
    private readonly readers: Record<Split, FrameCacheReader>,
  ) {}

  async *batches(split: Split, opts: BatchOptions): AsyncGenerator<Batch> {
    const reader = this.readers[split];
    const floats = sampleFloats(this.shape);
    const { timeSteps: T, height: h, width: w, channels: c } = this.shape;
    for (const group of batchIndexGroups(reader.count, opts)) {
      const n = group.length;
      const x = new Float32Array(n * floats);
      const y = new Int32Array(n);
      const crops = Array.from(group, () =>
        opts.augment ? drawCropFlip(DVS_AUGMENTATION, opts.rng) : identityCrop(DVS_AUGMENTATION),
      );
      const scratch = opts.augment ? new Float32Array(n * floats) : x;
      await Promise.all(Array.from(group, (idx, b) => reader.readSample(idx, scratch, b * floats)));
      for (let b = 0; b < n; b++) {
        y[b] = reader.labels[group[b]];
        if (opts.augment) cropFrames(scratch, x, b * floats, T, h, w, c, crops[b].top, crops[b].left);
      }
      yield { x, y, n, shape: [n, T, h, w, c], indices: Int32Array.from(group) };
    }
  }

  private closed = false;

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.readers.train.close(), this.readers.test.close()]);
  }
}

/** Same zero-padded crop for every frame and channel of one sample ([T, H, W, C] at `off`). */
function cropFrames(
  src: Float32Array,
  dst: Float32Array,
  off: number,
  T: number,
  h: number,
  w: number,
  c: number,
  top: number,
  left: number,
): void {
  const pad = DVS_AUGMENTATION.kind === 'crop-flip' ? DVS_AUGMENTATION.pad : 0;
  const rows = sourceIndex(h, pad, top, false);
  const cols = sourceIndex(w, pad, left, false);
  for (let t = 0; t < T; t++) {
    const frame = off + t * h * w * c;
    for (let r = 0; r < h; r++) {
      for (let q = 0; q < w; q++) {
        const o = frame + (r * w + q) * c;
        const inside = rows[r] >= 0 && cols[q] >= 0;
        const s = frame + (rows[r] * w + cols[q]) * c;
        for (let ch = 0; ch < c; ch++) dst[o + ch] = inside ? src[s + ch] : 0;
      }
    }
  }
}

/** Both splits' frame caches, converted where missing or stale, open for reading. */
interface PreparedFrames {
  readonly root: string;
  readonly shape: CacheShape;
  readonly samples: Record<Split, DvsSample[]>;
  readonly readers: Record<Split, FrameCacheReader>;
}

async function prepareFrames(opts: Cifar10DvsOptions): Promise<PreparedFrames> {
  if (!Number.isInteger(opts.timeSteps) || opts.timeSteps < 1) {
    throw new RangeError(`CIFAR10-DVS timeSteps must be a positive integer, got ${opts.timeSteps}`);
  }
  const size = opts.size ?? DVS_FRAME_SIZE;
  const root = await findRoot(opts.path);
  const samples = await listDvsSamples(root);
  const cacheDir = opts.cacheDir ?? path.join(root, 'glif-frames-cache');
  const shape: CacheShape = { timeSteps: opts.timeSteps, height: size, width: size, channels: 2 };
  const train = await prepareSplit(root, cacheDir, 'train', samples.train, shape, opts.onProgress);
  let test: FrameCacheReader;
  try {
    test = await prepareSplit(root, cacheDir, 'test', samples.test, shape, opts.onProgress);
  } catch (err) {
    await train.close();
    throw err;
  }
  return { root, shape, samples, readers: { train, test } };
}

/**
 * The frame cache files of both splits, converted first where missing or stale: what another
 * reader of the cache format (the torch engine's data.py) trains on.
 */
export async function prepareCifar10DvsFrames(opts: Cifar10DvsOptions): Promise<Record<Split, string>> {
  const { readers } = await prepareFrames(opts);
  await Promise.all([readers.train.close(), readers.test.close()]);
  return { train: readers.train.file, test: readers.test.file };
}

export async function openCifar10Dvs(opts: Cifar10DvsOptions): Promise<Dataset> {
  const { root, shape, samples, readers } = await prepareFrames(opts);
  const size = shape.height;
  return new Cifar10DvsDataset(
    {
      name: 'cifar10-dvs',
      kind: 'frames',
      inputShape: [size, size, 2],
      timeSteps: opts.timeSteps,
      numClasses: 10,
      trainSize: samples.train.length,
      testSize: samples.test.length,
      classNames: [...CIFAR10_CLASSES],
      augmentation: describeAugmentation(DVS_AUGMENTATION, String(size)),
      source: root,
    },
    shape,
    readers,
  );
}
