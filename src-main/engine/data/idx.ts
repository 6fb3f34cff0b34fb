/**
 * IDX files (MNIST, Fashion-MNIST), plain or gzipped.
 *
 * Layout: a big-endian magic 0x0000TTDD (TT = element type, 0x08 = uint8;
 * DD = number of dimensions), DD big-endian uint32 dimension sizes, then the
 * elements. Images are 0x00000803 [n, rows, cols], labels 0x00000801 [n].
 *
 * Pixels become x / 255 in [0, 1] with no augmentation (bench fmnist-accuracy);
 * `normalize: true` additionally applies the reference's Normalize constants.
 */
import * as path from 'node:path';
import { NO_AUGMENTATION } from './augment';
import type { Dataset } from './dataset';
import { DatasetError, hex32 } from './errors';
import { InMemoryImageDataset, type ImageSplit, type Normalization } from './image-set';
import { readContent, statOrNull } from './read-file';

export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** count * rows * cols bytes, row-major. */
  readonly pixels: Uint8Array;
}

function parseHeader(buf: Uint8Array, file: string, magic: number, what: string): number[] {
  if (buf.length < 4) {
    throw new DatasetError(
      file,
      `truncated file: expected at least 4 bytes (the magic number), found ${buf.length}`,
    );
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const found = view.getUint32(0, false);
  if (found !== magic) {
    throw new DatasetError(
      file,
      `wrong magic number: expected ${hex32(magic)} (IDX ${what}), found ${hex32(found)}`,
    );
  }
  const ndim = magic & 0xff;
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) {
    throw new DatasetError(
      file,
      `truncated file: expected at least ${headerBytes} bytes of header, found ${buf.length}`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (buf.length < expected) {
    throw new DatasetError(
      file,
      `truncated file: expected ${expected} bytes for ${what} of shape [${dims.join(', ')}], found ${buf.length}`,
    );
  }
  if (buf.length > expected) {
    throw new DatasetError(
      file,
      `unexpected trailing data: expected ${expected} bytes for ${what} of shape [${dims.join(', ')}], found ${buf.length}`,
    );
  }
  return dims;
}

export function parseIdxImages(buf: Uint8Array, file: string): IdxImages {
  const [count, rows, cols] = parseHeader(buf, file, IDX_IMAGES_MAGIC, 'uint8 images [n, rows, cols]');
  return { count, rows, cols, pixels: buf.subarray(16) };
}

export function parseIdxLabels(buf: Uint8Array, file: string, numClasses: number): Uint8Array {
  parseHeader(buf, file, IDX_LABELS_MAGIC, 'uint8 labels [n]');
  const labels = buf.subarray(8);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new DatasetError(
        file,
        `label out of range: label ${labels[i]} at record ${i}, allowed 0..${numClasses - 1}`,
      );
    }
  }
  return labels;
}

export type IdxDatasetName = 'mnist' | 'fashion-mnist';

/** Where the Debian package dataset-fashion-mnist installs the files. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** The reference's Normalize constants (data_builder.py). */
export const IDX_NORMALIZATION: Record<IdxDatasetName, Normalization> = {
  mnist: { mean: [0.1307], std: [0.3081] },
  'fashion-mnist': { mean: [0.286], std: [0.353] },
};

export interface IdxDatasetOptions {
  readonly name: IdxDatasetName;
  /** Directory with the four files; Fashion-MNIST defaults to DEFAULT_FASHION_MNIST_DIR. */
  readonly dir?: string;
  /** Apply IDX_NORMALIZATION after scaling to [0, 1]. Default false. */
  readonly normalize?: boolean;
}

/** The stems of the four files; each may also appear as 'train-images.idx3-ubyte' and with '.gz'. */
export const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export function candidateNames(stem: string): string[] {
  const dotted = stem.replace(/-(idx\d)-ubyte$/, '.$1-ubyte');
  return [stem, `${stem}.gz`, dotted, `${dotted}.gz`];
}

async function findIdxFile(dir: string, stem: string): Promise<string> {
  const names = candidateNames(stem);
  for (const name of names) {
    const st = await statOrNull(path.join(dir, name));
    if (st?.isFile()) return path.join(dir, name);
  }
  throw new DatasetError(
    path.join(dir, stem),
    `missing file ${stem}(.gz): looked for ${names.join(', ')} in ${dir}`,
  );
}

async function loadSplit(
  imagesFile: string,
  labelsFile: string,
): Promise<IdxImages & { labels: Uint8Array }> {
  const [imgBuf, lblBuf] = await Promise.all([readContent(imagesFile), readContent(labelsFile)]);
  const images = parseIdxImages(imgBuf, imagesFile);
  const labels = parseIdxLabels(lblBuf, labelsFile, 10);
  if (labels.length !== images.count) {
    throw new DatasetError(
      labelsFile,
      `image/label count mismatch: ${labels.length} labels but ${images.count} images in ${imagesFile}`,
    );
  }
  return { ...images, labels };
}

export async function openIdxDataset(opts: IdxDatasetOptions): Promise<Dataset> {
  const dir = opts.dir ?? (opts.name === 'fashion-mnist' ? DEFAULT_FASHION_MNIST_DIR : undefined);
  if (dir === undefined) {
    throw new DatasetError('(no directory)', `${opts.name} needs a directory with the IDX files (dir)`);
  }
  const st = await statOrNull(dir);
  if (!st?.isDirectory()) {
    const hint =
      dir === DEFAULT_FASHION_MNIST_DIR
        ? ' (install the Debian package dataset-fashion-mnist, or give dir)'
        : '';
    throw new DatasetError(dir, `dataset directory not found${hint}`);
  }
  const files = {
    trainImages: await findIdxFile(dir, IDX_FILES.trainImages),
    trainLabels: await findIdxFile(dir, IDX_FILES.trainLabels),
    testImages: await findIdxFile(dir, IDX_FILES.testImages),
    testLabels: await findIdxFile(dir, IDX_FILES.testLabels),
  };
  const train = await loadSplit(files.trainImages, files.trainLabels);
  const test = await loadSplit(files.testImages, files.testLabels);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new DatasetError(
      files.testImages,
      `image size ${test.rows}x${test.cols} differs from the training images' ${train.rows}x${train.cols}`,
    );
  }
  const normalization = opts.normalize ? IDX_NORMALIZATION[opts.name] : undefined;
  const toSplit = (s: typeof train): ImageSplit => ({ pixels: s.pixels, labels: s.labels, count: s.count });
  return new InMemoryImageDataset(
    {
      name: opts.name,
      kind: 'static',
      inputShape: [train.rows, train.cols, 1],
      numClasses: 10,
      trainSize: train.count,
      testSize: test.count,
      classNames:
        opts.name === 'fashion-mnist'
          ? [...FASHION_MNIST_CLASSES]
          : Array.from({ length: 10 }, (_, i) => String(i)),
      normalization,
      augmentation: 'none',
      source: dir,
    },
    { height: train.rows, width: train.cols, channels: 1, planar: false },
    { train: toSplit(train), test: toSplit(test) },
    NO_AUGMENTATION,
    normalization,
  );
}
