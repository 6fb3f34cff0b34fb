/**
 * A data.path that names a missing or unusable dataset is refused when the config is validated
 * (the UI's form, `glif serve`'s API, the CLI), with one line naming the path, instead of
 * passing as "ready" and failing the run in the queue. Real files in a temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../../src-main/engine/config/build';
import { checkDataLocation } from '../../src-main/engine/data/locate';
import { CIFAR10_CLASSES } from '../../src-main/engine/data/class-names';
import { testWorkbench } from '../helpers/workbench';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-locate-'));
const workbench = testWorkbench();

afterAll(async () => {
  // testWorkbench closes and removes its own folder.
  fs.rmSync(tmp, { recursive: true, force: true });
});

function dir(name: string): string {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** A whole IDX file: magic, dimensions, then one byte per value. */
function idxFile(magic: number, dims: readonly number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([
    header,
    Buffer.alloc(
      dims.reduce((a, b) => a * b, 1),
      7,
    ),
  ]);
}

const images = (n: number) => idxFile(0x803, [n, 4, 4]);
const labels = (n: number, magic = 0x801) => idxFile(magic, magic === 0x801 ? [n] : [n, 4, 4]);

function idxFolder(name: string, labelsMagic = 0x801): string {
  const d = dir(name);
  fs.writeFileSync(path.join(d, 'train-images-idx3-ubyte'), images(3));
  fs.writeFileSync(path.join(d, 'train-labels-idx1-ubyte'), labels(3, labelsMagic));
  fs.writeFileSync(path.join(d, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(images(2)));
  fs.writeFileSync(path.join(d, 't10k-labels-idx1-ubyte'), labels(2));
  return d;
}

const problem = (preset: string, dataPath: string): string | null =>
  checkDataLocation(buildConfig({ preset, overrides: [`data.path=${dataPath}`] }))?.message ?? null;

describe('checkDataLocation', () => {
  it('accepts a usable IDX folder (plain and gzipped files)', () => {
    expect(problem('fmnist-cnn', idxFolder('idx-ok'))).toBeNull();
  });

  it('names a missing folder, a file given as a folder, a missing file and a file of another format', () => {
    const missing = path.join(tmp, 'no-such-folder');
    expect(problem('fmnist-cnn', missing)).toBe(
      `${missing} does not exist; expected the folder with the four fashion-mnist IDX files`,
    );
    const file = path.join(tmp, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(problem('fmnist-cnn', file)).toMatch(/a-file is not a folder/);
    const partial = dir('idx-partial');
    fs.writeFileSync(path.join(partial, 'train-images-idx3-ubyte'), images(3));
    expect(problem('fmnist-cnn', partial)).toBe(
      `${partial} has no train-labels-idx1-ubyte (or train-labels-idx1-ubyte.gz); expected the four fashion-mnist IDX files`,
    );
    const swapped = idxFolder('idx-swapped', 0x803);
    expect(problem('fmnist-cnn', swapped)).toBe(
      `${path.join(swapped, 'train-labels-idx1-ubyte')} is not an IDX file (it does not start with the IDX magic number, nor is it gzip)`,
    );
  });

  it('refuses a truncated IDX file, plain or gzipped, and images without one label each', () => {
    const cut = idxFolder('idx-cut');
    const trainImages = path.join(cut, 'train-images-idx3-ubyte');
    fs.writeFileSync(trainImages, images(3).subarray(0, 40));
    expect(problem('fmnist-cnn', cut)).toBe(
      `${trainImages} is truncated or damaged: its header promises 3 x 4 x 4 values (64 bytes) but it holds 40 bytes`,
    );
    const cutGz = idxFolder('idx-cut-gz');
    const testImages = path.join(cutGz, 't10k-images-idx3-ubyte.gz');
    const packed = zlib.gzipSync(images(2));
    // A download that stopped early: the gzip trailer (CRC and size) is missing.
    fs.writeFileSync(testImages, packed.subarray(0, packed.length - 6));
    expect(problem('fmnist-cnn', cutGz)).toMatch(
      new RegExp(`^${testImages.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is truncated or damaged`),
    );
    const gzNotIdx = idxFolder('idx-gz-not-idx');
    fs.writeFileSync(
      path.join(gzNotIdx, 't10k-images-idx3-ubyte.gz'),
      zlib.gzipSync(Buffer.from('hello world')),
    );
    expect(problem('fmnist-cnn', gzNotIdx)).toMatch(/t10k-images-idx3-ubyte\.gz is not an IDX file/);
    const mismatched = idxFolder('idx-mismatched');
    fs.writeFileSync(path.join(mismatched, 't10k-labels-idx1-ubyte'), labels(5));
    expect(problem('fmnist-cnn', mismatched)).toBe(
      `${path.join(mismatched, 't10k-images-idx3-ubyte.gz')} holds 2 images but ${path.join(mismatched, 't10k-labels-idx1-ubyte')} holds 5 labels; expected one label per image`,
    );
  });

  it('accepts the real Fashion-MNIST files as Debian ships them', () => {
    expect(problem('fmnist-cnn', '/usr/share/datasets/fashion-mnist')).toBeNull();
  });

  it('CIFAR: accepts the batches folder, its parent and an archive; refuses anything else', () => {
    const parent = dir('cifar-parent');
    const batches = dir('cifar-parent/cifar-10-batches-bin');
    for (const f of [
      'data_batch_1',
      'data_batch_2',
      'data_batch_3',
      'data_batch_4',
      'data_batch_5',
      'test_batch',
    ]) {
      fs.writeFileSync(path.join(batches, `${f}.bin`), Buffer.alloc(3073));
    }
    expect(problem('cifar10-resnet19-t4', parent)).toBeNull();
    expect(problem('cifar10-resnet19-t4', batches)).toBeNull();
    const archive = path.join(tmp, 'cifar-10-binary.tar.gz');
    fs.writeFileSync(archive, zlib.gzipSync(Buffer.alloc(1024)));
    expect(problem('cifar10-resnet19-t4', archive)).toBeNull();

    const text = path.join(tmp, 'notes.txt');
    fs.writeFileSync(text, 'not an archive\n'.repeat(30));
    expect(problem('cifar10-resnet19-t4', text)).toMatch(/notes\.txt is not a \.tar\.gz or \.tar archive/);
    const empty = dir('cifar-empty');
    expect(problem('cifar10-resnet19-t4', empty)).toMatch(
      /cifar-empty holds neither the cifar10 batches \(data_batch_1\.bin.*\) nor cifar-10-batches-bin\/ nor cifar-10-binary\.tar\.gz$/,
    );
  });

  it('CIFAR10-DVS: needs the ten class folders, directly or under extract/', () => {
    const root = dir('dvs/extract');
    for (const c of CIFAR10_CLASSES.slice(0, 8)) dir(`dvs/extract/${c}`);
    const dvs = path.join(tmp, 'dvs');
    expect(problem('cifar10dvs-7b', dvs)).toBe(
      `${dvs} has no class folder ship, truck; expected the CIFAR10-DVS folder with one folder of .aedat files per class`,
    );
    for (const c of CIFAR10_CLASSES.slice(8)) fs.mkdirSync(path.join(root, c));
    expect(problem('cifar10dvs-7b', dvs)).toBeNull();
  });
});

describe('the validate request and run creation', () => {
  it('the form is not "ready" with a missing data.path, and no run is created', () => {
    const missing = path.join(tmp, 'gone', 'cifar-10-binary.tar.gz');
    const validation = workbench.validateConfig('cifar10-resnet19-t4', { 'data.path': missing });
    expect(validation).toEqual({
      config: null,
      issues: [
        {
          key: 'data.path',
          message: `${missing} does not exist; expected a folder with the cifar10 binary batches (or their parent) or cifar-10-binary.tar.gz`,
        },
      ],
    });
    expect(() =>
      workbench.createRun({ preset: 'cifar10-resnet19-t4', values: { 'data.path': missing }, start: false }),
    ).toThrow(/data\.path: .*gone.* does not exist/);
    expect(workbench.listRuns({})).toEqual([]);
  });

  it('a usable location validates as before', () => {
    const validation = workbench.validateConfig('fmnist-cnn', { 'data.path': idxFolder('idx-form') });
    expect(validation.issues).toEqual([]);
    expect(validation.config).not.toBeNull();
  });
});
