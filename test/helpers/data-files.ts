/**
 * Writers of small dataset files in the real formats (IDX, CIFAR binary,
 * ustar tar, AEDAT 2.0 event files), plain and gzipped, plus corrupt variants,
 * for tests of the data layer and of anything that needs a dataset on disk.
 * Each writer returns the values it wrote so tests can check exact round trips.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { DatasetError } from '../../src-main/engine/data/errors';
import { Rng } from '../../src-main/engine/random';

export interface TempDir {
  readonly dir: string;
  cleanup(): void;
}

export function makeTempDir(prefix = 'glif-data-'): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(256);
  return out;
}

function randomLabels(rng: Rng, n: number, classes: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(classes);
  return out;
}

// ---------------------------------------------------------------- IDX

export function idxImagesBytes(pixels: Uint8Array, count: number, rows: number, cols: number): Buffer {
  const b = Buffer.alloc(16 + pixels.length);
  b.writeUInt32BE(0x00000803, 0);
  b.writeUInt32BE(count, 4);
  b.writeUInt32BE(rows, 8);
  b.writeUInt32BE(cols, 12);
  Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength).copy(b, 16);
  return b;
}

export function idxLabelsBytes(labels: Uint8Array): Buffer {
  const b = Buffer.alloc(8 + labels.length);
  b.writeUInt32BE(0x00000801, 0);
  b.writeUInt32BE(labels.length, 4);
  Buffer.from(labels.buffer, labels.byteOffset, labels.byteLength).copy(b, 8);
  return b;
}

export interface IdxSplitData {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

export interface IdxFiles {
  readonly rows: number;
  readonly cols: number;
  readonly train: IdxSplitData;
  readonly test: IdxSplitData;
  /** Paths of the four files written. */
  readonly files: { trainImages: string; trainLabels: string; testImages: string; testLabels: string };
}

/**
 * Writes the four MNIST-style files into `dir`. `gzip: true` gzips them and
 * names them *.gz; `gzip: 'unnamed'` gzips them but keeps the plain names
 * (detection must go by the magic bytes).
 */
export function writeIdxDataset(
  dir: string,
  opts: {
    train?: number;
    test?: number;
    rows?: number;
    cols?: number;
    gzip?: boolean | 'unnamed';
    seed?: number;
  } = {},
): IdxFiles {
  const rows = opts.rows ?? 5;
  const cols = opts.cols ?? 4;
  const rng = new Rng(opts.seed ?? 1);
  const make = (count: number): IdxSplitData => ({
    pixels: randomBytes(rng, count * rows * cols),
    labels: randomLabels(rng, count, 10),
    count,
  });
  const train = make(opts.train ?? 23);
  const test = make(opts.test ?? 7);
  const suffix = opts.gzip === true ? '.gz' : '';
  const encode = (b: Buffer): Buffer => (opts.gzip ? gzipSync(b) : b);
  const files = {
    trainImages: path.join(dir, `train-images-idx3-ubyte${suffix}`),
    trainLabels: path.join(dir, `train-labels-idx1-ubyte${suffix}`),
    testImages: path.join(dir, `t10k-images-idx3-ubyte${suffix}`),
    testLabels: path.join(dir, `t10k-labels-idx1-ubyte${suffix}`),
  };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(files.trainImages, encode(idxImagesBytes(train.pixels, train.count, rows, cols)));
  fs.writeFileSync(files.trainLabels, encode(idxLabelsBytes(train.labels)));
  fs.writeFileSync(files.testImages, encode(idxImagesBytes(test.pixels, test.count, rows, cols)));
  fs.writeFileSync(files.testLabels, encode(idxLabelsBytes(test.labels)));
  return { rows, cols, train, test, files };
}

// ---------------------------------------------------------------- corrupt variants

/** Overwrites the 4-byte big-endian magic number at the start of a plain file. */
export function corruptMagic(file: string, magic: number): void {
  const b = fs.readFileSync(file);
  b.writeUInt32BE(magic >>> 0, 0);
  fs.writeFileSync(file, b);
}

/** Cuts a file to `bytes` bytes (or removes `-bytes` from its end when negative). */
export function truncateFile(file: string, bytes: number): void {
  const size = fs.statSync(file).size;
  fs.truncateSync(file, bytes < 0 ? size + bytes : bytes);
}

/** Sets one byte of a plain file (e.g. a label byte to an out-of-range value). */
export function setByte(file: string, offset: number, value: number): void {
  const b = fs.readFileSync(file);
  b[offset] = value;
  fs.writeFileSync(file, b);
}

/** Gzip data whose deflate stream is damaged after the header. */
export function corruptGzip(file: string): void {
  const b = fs.readFileSync(file);
  for (let i = 10; i < Math.min(b.length - 8, 40); i++) b[i] ^= 0xa5;
  fs.writeFileSync(file, b);
}

// ---------------------------------------------------------------- CIFAR

export type CifarVariantName = 'cifar10' | 'cifar100';

export interface CifarSplitData {
  /** Channel-planar pixels as in the file: per record 1024 R, 1024 G, 1024 B. */
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly coarse?: Uint8Array;
  readonly count: number;
}

export function randomCifarSplit(variant: CifarVariantName, count: number, rng: Rng): CifarSplitData {
  return {
    pixels: randomBytes(rng, count * 3072),
    labels: randomLabels(rng, count, variant === 'cifar10' ? 10 : 100),
    coarse: variant === 'cifar100' ? randomLabels(rng, count, 20) : undefined,
    count,
  };
}

export function cifarRecordsBytes(variant: CifarVariantName, data: CifarSplitData): Buffer {
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const rec = labelBytes + 3072;
  const b = Buffer.alloc(rec * data.count);
  for (let i = 0; i < data.count; i++) {
    if (variant === 'cifar100') b[i * rec] = data.coarse?.[i] ?? 0;
    b[i * rec + labelBytes - 1] = data.labels[i];
    b.set(data.pixels.subarray(i * 3072, (i + 1) * 3072), i * rec + labelBytes);
  }
  return b;
}

export interface CifarFiles {
  /** Training records in file order (batch 1, 2, ...). */
  readonly train: CifarSplitData;
  readonly test: CifarSplitData;
  /** Base name -> content, as they are laid out in the distribution. */
  readonly contents: Map<string, Buffer>;
  readonly subdir: string;
}

function concat(variant: CifarVariantName, parts: CifarSplitData[]): CifarSplitData {
  const count = parts.reduce((a, p) => a + p.count, 0);
  const pixels = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  const coarse = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    pixels.set(p.pixels, at * 3072);
    labels.set(p.labels, at);
    if (p.coarse) coarse.set(p.coarse, at);
    at += p.count;
  }
  return { pixels, labels, coarse: variant === 'cifar100' ? coarse : undefined, count };
}

/** The files of a (small) CIFAR binary distribution, in memory. */
export function makeCifarFiles(
  variant: CifarVariantName,
  opts: { perTrainFile?: number[]; test?: number; seed?: number } = {},
): CifarFiles {
  const rng = new Rng(opts.seed ?? 7);
  const contents = new Map<string, Buffer>();
  if (variant === 'cifar10') {
    const counts = opts.perTrainFile ?? [3, 2, 4, 1, 2];
    const parts = counts.map((n, i) => {
      const d = randomCifarSplit(variant, n, rng);
      contents.set(`data_batch_${i + 1}.bin`, cifarRecordsBytes(variant, d));
      return d;
    });
    const test = randomCifarSplit(variant, opts.test ?? 5, rng);
    contents.set('test_batch.bin', cifarRecordsBytes(variant, test));
    contents.set(
      'batches.meta.txt',
      Buffer.from('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n'),
    );
    return { train: concat(variant, parts), test, contents, subdir: 'cifar-10-batches-bin' };
  }
  const train = randomCifarSplit(variant, opts.perTrainFile?.[0] ?? 9, rng);
  const test = randomCifarSplit(variant, opts.test ?? 4, rng);
  contents.set('train.bin', cifarRecordsBytes(variant, train));
  contents.set('test.bin', cifarRecordsBytes(variant, test));
  return { train, test, contents, subdir: 'cifar-100-binary' };
}

/** Writes the files into `dir` (e.g. the extracted `cifar-10-batches-bin/`). */
export function writeCifarDir(dir: string, files: CifarFiles): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, data] of files.contents) fs.writeFileSync(path.join(dir, name), data);
}

/** Writes the distribution archive (.tar.gz, members under `files.subdir/`). */
export function writeCifarArchive(file: string, files: CifarFiles, opts: { gzip?: boolean } = {}): void {
  const entries: TarEntryInput[] = [{ name: `${files.subdir}/`, type: 'directory' }];
  for (const [name, data] of files.contents) entries.push({ name: `${files.subdir}/${name}`, data });
  const tar = tarBytes(entries);
  fs.writeFileSync(file, opts.gzip === false ? tar : gzipSync(tar));
}

// ---------------------------------------------------------------- tar

/** 'gnu-longname' ('L') and 'pax' ('x') entries carry the name/attributes of the entry after them. */
export type TarEntryType = 'file' | 'directory' | 'gnu-longname' | 'pax';

const TYPEFLAG: Record<TarEntryType, string> = { file: '0', directory: '5', 'gnu-longname': 'L', pax: 'x' };

export interface TarEntryInput {
  readonly name: string;
  readonly data?: Uint8Array;
  readonly type?: TarEntryType;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** One ustar header block (names up to 100 bytes). */
export function tarHeader(name: string, size: number, type: TarEntryType): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(type === 'directory' ? 0o755 : 0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(size, 12), 124, 'latin1');
  h.write(octal(1_600_000_000, 12), 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(TYPEFLAG[type], 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i];
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

/** A whole tar archive with the end-of-archive zero blocks. */
export function tarBytes(entries: TarEntryInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = e.data ?? new Uint8Array(0);
    parts.push(tarHeader(e.name, data.length, type));
    if (data.length > 0) {
      parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      const pad = (512 - (data.length % 512)) % 512;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------- AEDAT (CIFAR10-DVS)

export const DVS_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** An event in SpikingJelly's output coordinates (x column, y row, p polarity 0/1). */
export interface DvsEvent {
  readonly x: number;
  readonly y: number;
  readonly p: number;
  readonly t: number;
}

/**
 * The raw address that SpikingJelly's CIFAR10DVS decoder turns into (x, y, p):
 * it reads row = (addr >> 8) & 0x7F, column = (addr >> 1) & 0x7F, bit 0 = 1 - p,
 * and outputs x = 127 - row, y = 127 - column.
 */
export function dvsAddress(e: { x: number; y: number; p: number }): number {
  const row = 127 - e.x;
  const column = 127 - e.y;
  return ((row << 8) | (column << 1) | (1 - e.p)) >>> 0;
}

export const AEDAT_HEADER =
  '#!AER-DAT2.0\r\n# This is a raw AE data file - do not edit\r\n# Data format is int32 address, int32 timestamp (8 bytes total)\r\n';

export function aedatBytes(events: readonly DvsEvent[], header = AEDAT_HEADER): Buffer {
  const head = Buffer.from(header, 'latin1');
  const b = Buffer.alloc(head.length + 8 * events.length);
  head.copy(b, 0);
  events.forEach((e, i) => {
    b.writeUInt32BE(dvsAddress(e), head.length + 8 * i);
    b.writeUInt32BE(e.t >>> 0, head.length + 8 * i + 4);
  });
  return b;
}

export function randomDvsEvents(rng: Rng, count: number): DvsEvent[] {
  const out: DvsEvent[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ x: rng.int(128), y: rng.int(128), p: rng.int(2), t: 1000 + 10 * i });
  }
  return out;
}

export interface DvsFiles {
  /** Events of each written file, by path relative to the root ('<class>/<name>.aedat'). */
  readonly events: Map<string, DvsEvent[]>;
}

/**
 * Writes ten class folders with `perClass` files each (a number, or one count
 * per class), named cifar10_<class>_<i>.aedat like the real dataset, with
 * `eventsPerFile` random events (a function can vary it per file).
 */
export function writeDvsDataset(
  root: string,
  opts: {
    perClass?: number | readonly number[];
    eventsPerFile?: number | ((cls: number, i: number) => number);
    seed?: number;
  } = {},
): DvsFiles {
  const rng = new Rng(opts.seed ?? 3);
  const events = new Map<string, DvsEvent[]>();
  DVS_CLASSES.forEach((cls, k) => {
    const dir = path.join(root, cls);
    fs.mkdirSync(dir, { recursive: true });
    const n = typeof opts.perClass === 'number' ? opts.perClass : (opts.perClass?.[k] ?? 2);
    for (let i = 0; i < n; i++) {
      const count =
        typeof opts.eventsPerFile === 'function' ? opts.eventsPerFile(k, i) : (opts.eventsPerFile ?? 50);
      const ev = randomDvsEvents(rng, count);
      const name = `cifar10_${cls}_${i}.aedat`;
      fs.writeFileSync(path.join(dir, name), aedatBytes(ev));
      events.set(`${cls}/${name}`, ev);
    }
  });
  return { events };
}

// ---------------------------------------------------------------- reading batches

/** All batches of one pass, in order. */
export async function collectBatches<B>(it: AsyncIterable<B>): Promise<B[]> {
  const out: B[] = [];
  for await (const b of it) out.push(b);
  return out;
}

/**
 * Awaits `p`, expects it to reject with a DatasetError about `file` whose
 * problem matches `problem`, and checks that the message names both.
 */
export async function expectDatasetError(
  p: Promise<unknown>,
  file: string,
  problem: RegExp,
): Promise<DatasetError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  const de = err as DatasetError;
  expect(de.file).toBe(file);
  expect(de.problem).toMatch(problem);
  expect(de.message).toContain(file);
  expect(de.message).toMatch(problem);
  return de;
}
