/**
 * An ImageNet-style folder of JPEG/PNG images as a Dataset (scan.ts for the layouts): decoded and
 * resized once into a cache per split (image-cache.ts), then cropped, flipped and normalised per
 * batch as the authors' ImageNet recipe does (resized-crop.ts). Serves ImageNet itself and any
 * user's own image folders.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { batchIndexGroups } from '../batching';
import type { Batch, BatchOptions, Dataset, DatasetInfo, Split } from '../dataset';
import { DatasetError } from '../errors';
import { fsError } from '../read-file';
import { ImageCacheReader, imageFingerprint, writeImageCache, type ImageCacheProgress } from './image-cache';
import {
  CROP_SCALE,
  IMAGENET_NORMALIZATION,
  centerCrop,
  drawResizedCrop,
  shortSideFor,
  writeCrop,
} from './resized-crop';
import { CACHE_FOLDER, scanImageFolder, type ImageEntry } from './scan';

export interface ImageFolderOptions {
  /** The folder: train/ and val/ (or test/) of class folders, or class folders alone. */
  readonly path: string;
  /** Side of the square crops the model sees (224 for ImageNet). */
  readonly imageSize: number;
  /** Where the decoded caches go; default `<path>/glif-image-cache`. */
  readonly cacheDir?: string;
  readonly onProgress?: (p: ImageCacheProgress) => void;
}

async function prepareSplit(
  cacheDir: string,
  split: Split,
  entries: readonly ImageEntry[],
  shortSide: number,
  onProgress?: (p: ImageCacheProgress) => void,
): Promise<ImageCacheReader> {
  const fingerprint = await imageFingerprint(entries, shortSide);
  const file = path.join(
    cacheDir,
    `images-${shortSide}px-${split}-${fingerprint.toString('hex').slice(0, 12)}.bin`,
  );
  const found = await ImageCacheReader.open(file, shortSide, entries.length, fingerprint);
  const total = entries.length;
  if (found instanceof ImageCacheReader) {
    onProgress?.({ split, phase: 'cached', done: total, total });
    return found;
  }
  try {
    await fsp.mkdir(cacheDir, { recursive: true });
  } catch (err) {
    throw new DatasetError(
      cacheDir,
      `cannot create the image cache folder (${fsError(cacheDir, err).problem}); set GLIF_CACHE_DIR to keep the caches elsewhere`,
    );
  }
  let reported = false;
  await writeImageCache(file, entries, shortSide, fingerprint, (done, image) => {
    onProgress?.({
      split,
      phase: 'convert',
      done,
      total,
      file: image,
      reason: reported ? undefined : found.unusable,
    });
    reported = true;
  });
  const made = await ImageCacheReader.open(file, shortSide, entries.length, fingerprint);
  if (!(made instanceof ImageCacheReader))
    throw new DatasetError(file, `the cache just written is unusable: ${made.unusable}`);
  onProgress?.({ split, phase: 'done', done: total, total });
  return made;
}

/** Both splits' caches, made or found, open. */
async function prepare(opts: ImageFolderOptions) {
  const size = opts.imageSize;
  if (!Number.isInteger(size) || size < 8)
    throw new Error(`image size must be an integer of at least 8, got ${size}`);
  const root = path.resolve(opts.path);
  const scanned = await scanImageFolder(root);
  const shortSide = shortSideFor(size);
  const cacheDir = opts.cacheDir ?? path.join(root, CACHE_FOLDER);
  const train = await prepareSplit(cacheDir, 'train', scanned.train, shortSide, opts.onProgress);
  try {
    const test = await prepareSplit(cacheDir, 'test', scanned.test, shortSide, opts.onProgress);
    return { size, scanned, shortSide, train, test };
  } catch (err) {
    await train.close();
    throw err;
  }
}

/**
 * The caches the torch engine reads (glif_torch/image_folder.py), made here once as for the
 * workbench's own engine, with what it needs beside them.
 */
export async function prepareImageFolderCaches(
  opts: ImageFolderOptions,
): Promise<{ train: string; test: string; classes: number; size: number }> {
  const { size, scanned, train, test } = await prepare(opts);
  await Promise.all([train.close(), test.close()]);
  return { train: train.file, test: test.file, classes: scanned.classes.length, size };
}

export async function openImageFolder(opts: ImageFolderOptions): Promise<Dataset> {
  const { size, scanned, shortSide, train, test } = await prepare(opts);
  const info: DatasetInfo = {
    name: 'image-folder',
    kind: 'static',
    inputShape: [size, size, 3],
    numClasses: scanned.classes.length,
    trainSize: train.count,
    testSize: test.count,
    classNames: scanned.classes,
    normalization: { mean: [...IMAGENET_NORMALIZATION.mean], std: [...IMAGENET_NORMALIZATION.std] },
    augmentation: `random resized crop ${size} (scale ${CROP_SCALE[0]}-${CROP_SCALE[1]}), horizontal flip; test: resize ${shortSide} + centre crop ${size}`,
    source: scanned.layout,
  };
  return new ImageFolderDataset(info, { train, test }, size);
}

class ImageFolderDataset implements Dataset {
  private closed = false;

  constructor(
    readonly info: DatasetInfo,
    private readonly readers: Readonly<Record<Split, ImageCacheReader>>,
    private readonly size: number,
  ) {}

  async *batches(split: Split, opts: BatchOptions): AsyncGenerator<Batch> {
    const reader = this.readers[split];
    const size = this.size;
    const sampleLen = size * size * 3;
    for (const group of batchIndexGroups(reader.count, opts)) {
      const n = group.length;
      const x = new Float32Array(n * sampleLen);
      const y = new Int32Array(n);
      // Draws in sample order (each sample's crop, then its flip), reads all at once.
      const boxes = Array.from(group, (idx) => {
        const h = reader.heights[idx];
        const w = reader.widths[idx];
        return opts.augment ? drawResizedCrop(h, w, opts.rng) : centerCrop(h, w, size);
      });
      const pixels = await Promise.all(Array.from(group, (idx) => reader.read(idx)));
      for (let b = 0; b < n; b++) {
        const idx = group[b];
        y[b] = reader.labels[idx];
        writeCrop(pixels[b], reader.heights[idx], reader.widths[idx], boxes[b], size, x, b * sampleLen);
      }
      yield { x, y, n, shape: [n, size, size, 3], indices: Int32Array.from(group) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.readers.train.close(), this.readers.test.close()]);
  }
}
