/**
 * Whether the dataset a run config names is where it says, in a form the data layer can open:
 * checked when a config is validated (CLI, `glif serve`'s API, the UI's form), so that a wrong
 * `data.path` is refused with one line naming it instead of failing the run later in the queue.
 *
 * Config validation (engine/config/validate.ts) stays pure and shared with the UI; this is the
 * file-system check at the edge, in the main process. It looks at names, the first bytes of files
 * and their sizes only (cheap enough for every validate request): an IDX file's header says how
 * large the file must be, so a truncated download is caught here too; the full checks stay in the
 * readers.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { RunConfig } from '../config/types';
import type { ConfigIssue } from '../config/validate';
import { CIFAR_FORMATS } from './cifar';
import { CIFAR10_CLASSES } from './class-names';
import {
  candidateNames,
  DEFAULT_FASHION_MNIST_DIR,
  IDX_FILES,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
} from './idx';

const GZIP_MAGIC = [0x1f, 0x8b];
/** A POSIX tar header has "ustar" at byte 257. */
const TAR_MAGIC_OFFSET = 257;

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** The first `n` bytes of a file (fewer if it is shorter); null if it cannot be read. */
function head(file: string, n: number): Buffer | null {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(n);
    return buf.subarray(0, fs.readSync(fd, buf, 0, n, 0));
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The last 4 bytes of a file; null if it cannot be read or is shorter. */
function tail4(file: string, size: number): Buffer | null {
  if (size < 4) return null;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(4);
    return fs.readSync(fd, buf, 0, 4, size - 4) === 4 ? buf : null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

const isGzip = (b: Buffer): boolean => b.length >= 2 && b[0] === GZIP_MAGIC[0] && b[1] === GZIP_MAGIC[1];
const isTar = (b: Buffer): boolean =>
  b.subarray(TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + 5).toString('latin1') === 'ustar';

/** Enough of a file to hold any IDX header, also once gzip has unpacked it. */
const IDX_HEAD_BYTES = 4096;

/**
 * One IDX file's dimensions from its header, checked against the file's size: the header promises
 * its dimensions' product of bytes after it, and a gzip file states its unpacked size (mod 2^32)
 * in its last four bytes. Returns the dimensions, or the problem in one line.
 */
function checkIdxFile(file: string, magic: number): number[] | string {
  const st = statOrNull(file);
  const bytes = head(file, IDX_HEAD_BYTES);
  if (st === null || bytes === null) return `${file} cannot be read`;
  const notIdx = `${file} is not an IDX file (it does not start with the IDX magic number, nor is it gzip)`;
  let data = bytes;
  let size = st.size;
  const gzip = isGzip(bytes);
  if (gzip) {
    try {
      // Only the start is inflated: a sync flush returns what the bytes read so far unpack to.
      data = zlib.gunzipSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch {
      return `${file} is not a readable gzip file`;
    }
    const trailer = tail4(file, st.size);
    if (trailer === null) return `${file} is truncated: too short for a gzip file`;
    size = trailer.readUInt32LE(0);
  }
  if (data.length < 4 || data.readUInt32BE(0) !== magic) return notIdx;
  const ndim = magic & 0xff;
  const headerBytes = 4 + 4 * ndim;
  if (data.length < headerBytes) return `${file} is truncated: its IDX header is incomplete`;
  const dims = Array.from({ length: ndim }, (_, i) => data.readUInt32BE(4 + 4 * i));
  const expected = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (expected % 2 ** 32 !== size) {
    const holds = gzip ? `unpacks to ${size} bytes` : `holds ${size} bytes`;
    return `${file} is truncated or damaged: its header promises ${dims.join(' x ')} values (${expected} bytes) but it ${holds}`;
  }
  return dims;
}

function checkIdxFolder(dir: string, dataset: string): string | null {
  const magics: Record<keyof typeof IDX_FILES, number> = {
    trainImages: IDX_IMAGES_MAGIC,
    trainLabels: IDX_LABELS_MAGIC,
    testImages: IDX_IMAGES_MAGIC,
    testLabels: IDX_LABELS_MAGIC,
  };
  const counts: Partial<Record<keyof typeof IDX_FILES, { file: string; n: number }>> = {};
  for (const [key, stem] of Object.entries(IDX_FILES) as Array<[keyof typeof IDX_FILES, string]>) {
    const found = candidateNames(stem).find((n) => statOrNull(path.join(dir, n))?.isFile());
    if (found === undefined)
      return `${dir} has no ${stem} (or ${stem}.gz); expected the four ${dataset} IDX files`;
    const file = path.join(dir, found);
    const dims = checkIdxFile(file, magics[key]);
    if (typeof dims === 'string') return dims;
    counts[key] = { file, n: dims[0] ?? 0 };
  }
  for (const [images, labels] of [
    ['trainImages', 'trainLabels'],
    ['testImages', 'testLabels'],
  ] as const) {
    const a = counts[images];
    const b = counts[labels];
    if (a && b && a.n !== b.n)
      return `${a.file} holds ${a.n} images but ${b.file} holds ${b.n} labels; expected one label per image`;
  }
  return null;
}

function checkCifar(p: string, variant: 'cifar10' | 'cifar100'): string | null {
  const fmt = CIFAR_FORMATS[variant];
  const st = statOrNull(p);
  const expected = `a folder with the ${variant} binary batches (or their parent) or ${fmt.archive}`;
  if (st === null) return `${p} does not exist; expected ${expected}`;
  if (st.isFile()) {
    const bytes = head(p, TAR_MAGIC_OFFSET + 5);
    if (bytes === null) return `${p} cannot be read`;
    return isGzip(bytes) || isTar(bytes)
      ? null
      : `${p} is not a .tar.gz or .tar archive; expected ${expected}`;
  }
  if (!st.isDirectory()) return `${p} is neither a folder nor a file; expected ${expected}`;
  const all = [...fmt.trainFiles, ...fmt.testFiles];
  for (const dir of [p, path.join(p, fmt.subdir)]) {
    if (all.every((f) => statOrNull(path.join(dir, f))?.isFile())) return null;
  }
  if (statOrNull(path.join(p, fmt.archive))?.isFile()) return null;
  return `${p} holds neither the ${variant} batches (${all.join(', ')}) nor ${fmt.subdir}/ nor ${fmt.archive}`;
}

function checkDvsFolder(p: string): string | null {
  const st = statOrNull(p);
  const expected = 'the CIFAR10-DVS folder with one folder of .aedat files per class';
  if (st === null) return `${p} does not exist; expected ${expected}`;
  if (!st.isDirectory()) return `${p} is not a folder; expected ${expected}`;
  const root = [p, path.join(p, 'extract')].find((d) =>
    statOrNull(path.join(d, CIFAR10_CLASSES[0]))?.isDirectory(),
  );
  const missing = CIFAR10_CLASSES.filter((c) => !statOrNull(path.join(root ?? p, c))?.isDirectory());
  return missing.length === 0 ? null : `${p} has no class folder ${missing.join(', ')}; expected ${expected}`;
}

function checkImageFolder(p: string): string | null {
  const st = statOrNull(p);
  const expected = 'a folder of class folders of JPEG/PNG images, or train/ and val/ folders of them';
  if (st === null) return `${p} does not exist; expected ${expected}`;
  if (!st.isDirectory()) return `${p} is not a folder; expected ${expected}`;
  return null;
}

/** The problem with the config's dataset location, as a `data.path` issue; null when it looks usable. */
export function checkDataLocation(config: RunConfig): ConfigIssue | null {
  const { dataset, path: given } = config.data;
  const issue = (message: string | null): ConfigIssue | null =>
    message === null ? null : { key: 'data.path', message };
  switch (dataset) {
    case 'synthetic':
      return null;
    case 'fashion-mnist':
    case 'mnist': {
      const dir = given ?? (dataset === 'fashion-mnist' ? DEFAULT_FASHION_MNIST_DIR : null);
      if (dir === null) return issue(`required for dataset ${dataset}: the folder with its four IDX files`);
      const st = statOrNull(dir);
      if (st === null) {
        const hint =
          given === null ? ' (install it with: apt-get install dataset-fashion-mnist, or set data.path)' : '';
        return issue(`${dir} does not exist${hint}; expected the folder with the four ${dataset} IDX files`);
      }
      if (!st.isDirectory())
        return issue(`${dir} is not a folder; expected the folder with the four ${dataset} IDX files`);
      return issue(checkIdxFolder(dir, dataset));
    }
    case 'cifar10':
    case 'cifar100':
      // A missing path is validateConfig's issue already.
      return given === null ? null : issue(checkCifar(given, dataset));
    case 'cifar10-dvs':
      return given === null ? null : issue(checkDvsFolder(given));
    case 'image-folder':
      return given === null ? null : issue(checkImageFolder(given));
  }
}
