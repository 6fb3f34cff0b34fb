/**
 * Whether the dataset a run config names is where it says, in a form the data layer can open:
 * checked when a config is validated (CLI, `glif serve`'s API, the UI's form), so that a wrong
 * `data.path` is refused with one line naming it instead of failing the run later in the queue.
 *
 * Config validation (engine/config/validate.ts) stays pure and shared with the UI; this is the
 * file-system check at the edge, in the main process. It looks at names and the first bytes of
 * files only (cheap enough for every validate request); the full checks stay in the readers.
 */
import fs from 'node:fs';
import path from 'node:path';
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

const isGzip = (b: Buffer): boolean => b.length >= 2 && b[0] === GZIP_MAGIC[0] && b[1] === GZIP_MAGIC[1];
const isTar = (b: Buffer): boolean =>
  b.subarray(TAR_MAGIC_OFFSET, TAR_MAGIC_OFFSET + 5).toString('latin1') === 'ustar';

function checkIdxFolder(dir: string, dataset: string): string | null {
  const magics: Record<keyof typeof IDX_FILES, number> = {
    trainImages: IDX_IMAGES_MAGIC,
    trainLabels: IDX_LABELS_MAGIC,
    testImages: IDX_IMAGES_MAGIC,
    testLabels: IDX_LABELS_MAGIC,
  };
  for (const [key, stem] of Object.entries(IDX_FILES) as Array<[keyof typeof IDX_FILES, string]>) {
    const found = candidateNames(stem).find((n) => statOrNull(path.join(dir, n))?.isFile());
    if (found === undefined)
      return `${dir} has no ${stem} (or ${stem}.gz); expected the four ${dataset} IDX files`;
    const file = path.join(dir, found);
    const bytes = head(file, 4);
    if (bytes === null) return `${file} cannot be read`;
    if (!isGzip(bytes) && (bytes.length < 4 || bytes.readUInt32BE(0) !== magics[key])) {
      return `${file} is not an IDX file (it does not start with the IDX magic number, nor is it gzip)`;
    }
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
  }
}
