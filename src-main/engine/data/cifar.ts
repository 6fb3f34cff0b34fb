/**
 * CIFAR-10 and CIFAR-100, "binary version", from a directory (the extracted
 * `cifar-10-batches-bin/` / `cifar-100-binary/` folder or its parent) or
 * straight from the distribution archive (cifar-10-binary.tar.gz,
 * cifar-100-binary.tar.gz), read as a stream without extracting it.
 *
 * Records: CIFAR-10 = 1 label byte + 3072 pixel bytes; CIFAR-100 = coarse label
 * byte + fine label byte + 3072 pixel bytes (we train on the fine label).
 * Pixels are channel-planar: 1024 R, 1024 G, 1024 B, each 32x32 row-major.
 *
 * Output NHWC float32 with the reference's ToTensor + Normalize constants;
 * training augmentation is the reference's RandomCrop(32, padding=4) +
 * RandomHorizontalFlip, the padding being zeros of the raw image (applied
 * before normalising, as torchvision pads the PIL image).
 */
import * as path from 'node:path';
import { type Augmentation, describeAugmentation } from './augment';
import { yieldToEventLoop } from '../event-loop';
import { CIFAR100_CLASSES, CIFAR10_CLASSES } from './class-names';
import type { Dataset } from './dataset';
import { DatasetError } from './errors';
import { InMemoryImageDataset, type ImageSplit, type Normalization } from './image-set';
import { openContentStream, readContent, statOrNull } from './read-file';
import { readTarMembers } from './tar';

export type CifarVariant = 'cifar10' | 'cifar100';

const PIXELS = 32 * 32 * 3;

interface CifarFormat {
  readonly variant: CifarVariant;
  /** Label bytes before the pixels of each record. */
  readonly labelBytes: number;
  readonly numClasses: number;
  readonly trainFiles: readonly string[];
  readonly testFiles: readonly string[];
  /** Folder the archive extracts to. */
  readonly subdir: string;
  readonly archive: string;
  /** Optional text file with one class name per line. */
  readonly namesFile: string;
  readonly defaultNames: readonly string[];
  readonly normalization: Normalization;
}

export const CIFAR_FORMATS: Record<CifarVariant, CifarFormat> = {
  cifar10: {
    variant: 'cifar10',
    labelBytes: 1,
    numClasses: 10,
    trainFiles: [
      'data_batch_1.bin',
      'data_batch_2.bin',
      'data_batch_3.bin',
      'data_batch_4.bin',
      'data_batch_5.bin',
    ],
    testFiles: ['test_batch.bin'],
    subdir: 'cifar-10-batches-bin',
    archive: 'cifar-10-binary.tar.gz',
    namesFile: 'batches.meta.txt',
    defaultNames: CIFAR10_CLASSES,
    normalization: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.243, 0.261] },
  },
  cifar100: {
    variant: 'cifar100',
    labelBytes: 2,
    numClasses: 100,
    trainFiles: ['train.bin'],
    testFiles: ['test.bin'],
    subdir: 'cifar-100-binary',
    archive: 'cifar-100-binary.tar.gz',
    namesFile: 'fine_label_names.txt',
    defaultNames: CIFAR100_CLASSES,
    normalization: {
      mean: [129.3 / 255, 124.1 / 255, 112.4 / 255],
      std: [68.2 / 255, 65.4 / 255, 70.4 / 255],
    },
  },
};

export const CIFAR_AUGMENTATION: Augmentation = { kind: 'crop-flip', pad: 4, flip: true };

/** Parses whole records of one batch file; `file` names it in errors. */
export function parseCifarRecords(buf: Uint8Array, file: string, variant: CifarVariant): ImageSplit {
  const fmt = CIFAR_FORMATS[variant];
  const recordBytes = fmt.labelBytes + PIXELS;
  if (buf.length === 0 || buf.length % recordBytes !== 0) {
    const records = Math.max(1, Math.ceil(buf.length / recordBytes));
    throw new DatasetError(
      file,
      `truncated file: expected ${records * recordBytes} bytes (${records} records of ${recordBytes} bytes), found ${buf.length}`,
    );
  }
  const count = buf.length / recordBytes;
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const rec = i * recordBytes;
    if (variant === 'cifar100' && buf[rec] >= 20) {
      throw new DatasetError(
        file,
        `label out of range: coarse label ${buf[rec]} at record ${i}, allowed 0..19`,
      );
    }
    const label = buf[rec + fmt.labelBytes - 1];
    if (label >= fmt.numClasses) {
      const which = variant === 'cifar100' ? 'fine label' : 'label';
      throw new DatasetError(
        file,
        `label out of range: ${which} ${label} at record ${i}, allowed 0..${fmt.numClasses - 1}`,
      );
    }
    labels[i] = label;
    pixels.set(buf.subarray(rec + fmt.labelBytes, rec + recordBytes), i * PIXELS);
  }
  return { pixels, labels, count };
}

function concatSplits(parts: ImageSplit[]): ImageSplit {
  if (parts.length === 1) return parts[0];
  const count = parts.reduce((a, p) => a + p.count, 0);
  const pixels = new Uint8Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    pixels.set(p.pixels, at * PIXELS);
    labels.set(p.labels, at);
    at += p.count;
  }
  return { pixels, labels, count };
}

/** File contents by base name, and the label each should carry in errors. */
interface RawFiles {
  readonly contents: Map<string, Buffer>;
  readonly label: (name: string) => string;
  readonly source: string;
}

async function readFromDirectory(dir: string, fmt: CifarFormat): Promise<RawFiles> {
  const contents = new Map<string, Buffer>();
  for (const name of [...fmt.trainFiles, ...fmt.testFiles]) {
    contents.set(name, await readContent(path.join(dir, name)));
  }
  const namesPath = path.join(dir, fmt.namesFile);
  if ((await statOrNull(namesPath))?.isFile()) contents.set(fmt.namesFile, await readContent(namesPath));
  return { contents, label: (name) => path.join(dir, name), source: dir };
}

async function readFromArchive(archive: string, fmt: CifarFormat): Promise<RawFiles> {
  const required = new Set([...fmt.trainFiles, ...fmt.testFiles]);
  const wanted = new Set([...required, fmt.namesFile]);
  const contents = new Map<string, Buffer>();
  const stream = await openContentStream(archive);
  for await (const member of readTarMembers(stream, archive, (n) => wanted.has(path.posix.basename(n)))) {
    const base = path.posix.basename(member.name);
    if (!contents.has(base)) contents.set(base, member.data);
    if ([...wanted].every((n) => contents.has(n))) break;
  }
  for (const name of required) {
    if (!contents.has(name)) {
      throw new DatasetError(
        archive,
        `missing file ${name}: the archive has no member ${fmt.subdir}/${name} (is this the ${fmt.variant} binary version?)`,
      );
    }
  }
  return { contents, label: (name) => `${archive}:${fmt.subdir}/${name}`, source: archive };
}

async function hasAll(dir: string, names: readonly string[]): Promise<boolean> {
  for (const n of names) if (!(await statOrNull(path.join(dir, n)))?.isFile()) return false;
  return true;
}

/** Finds where the files are: an archive path, a folder with the .bin files, or a parent of either. */
async function readCifarFiles(p: string, fmt: CifarFormat): Promise<RawFiles> {
  const st = await statOrNull(p);
  if (!st) throw new DatasetError(p, 'not found (expected a CIFAR directory or .tar.gz archive)');
  if (st.isFile()) return readFromArchive(p, fmt);
  const all = [...fmt.trainFiles, ...fmt.testFiles];
  const dirs = [p, path.join(p, fmt.subdir)];
  for (const dir of dirs) if (await hasAll(dir, all)) return readFromDirectory(dir, fmt);
  const archive = path.join(p, fmt.archive);
  if ((await statOrNull(archive))?.isFile()) return readFromArchive(archive, fmt);
  // Report the first missing file of the folder that has the most of them.
  let best = dirs[0];
  let bestCount = -1;
  for (const dir of dirs) {
    let n = 0;
    for (const f of all) if ((await statOrNull(path.join(dir, f)))?.isFile()) n++;
    if (n > bestCount) [best, bestCount] = [dir, n];
  }
  let missing = all[0];
  for (const f of all) {
    if (!(await statOrNull(path.join(best, f)))?.isFile()) {
      missing = f;
      break;
    }
  }
  throw new DatasetError(
    path.join(best, missing),
    `missing file ${missing}: looked in ${dirs.join(' and ')}, and for the archive ${archive}`,
  );
}

function classNames(raw: RawFiles, fmt: CifarFormat): string[] {
  const text = raw.contents.get(fmt.namesFile)?.toString('utf8');
  const names = text
    ?.split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return names && names.length === fmt.numClasses ? names : [...fmt.defaultNames];
}

export interface CifarOptions {
  readonly variant: CifarVariant;
  /** Directory or .tar.gz archive. */
  readonly path: string;
}

export async function openCifarDataset(opts: CifarOptions): Promise<Dataset> {
  const fmt = CIFAR_FORMATS[opts.variant];
  const raw = await readCifarFiles(opts.path, fmt);
  const parse = async (names: readonly string[]): Promise<ImageSplit> => {
    const parts: ImageSplit[] = [];
    for (const n of names) {
      parts.push(parseCifarRecords(raw.contents.get(n) as Buffer, raw.label(n), fmt.variant));
      raw.contents.delete(n); // the parsed pixels are a copy; let the file buffer go
      await yieldToEventLoop();
    }
    return concatSplits(parts);
  };
  const names = classNames(raw, fmt);
  const train = await parse(fmt.trainFiles);
  const test = await parse(fmt.testFiles);
  return new InMemoryImageDataset(
    {
      name: fmt.variant,
      kind: 'static',
      inputShape: [32, 32, 3],
      numClasses: fmt.numClasses,
      trainSize: train.count,
      testSize: test.count,
      classNames: names,
      normalization: fmt.normalization,
      augmentation: describeAugmentation(CIFAR_AUGMENTATION, '32'),
      source: raw.source,
    },
    { height: 32, width: 32, channels: 3, planar: true },
    { train, test },
    CIFAR_AUGMENTATION,
    fmt.normalization,
  );
}
