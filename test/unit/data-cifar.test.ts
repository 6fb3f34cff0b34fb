import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCifarDataset } from '../../src-main/engine/data/cifar';
import type { Batch, Dataset } from '../../src-main/engine/data/dataset';
import { Rng } from '../../src-main/engine/random';
import {
  collectBatches,
  expectDatasetError,
  makeCifarFiles,
  makeTempDir,
  setByte,
  type TempDir,
  truncateFile,
  writeCifarArchive,
  writeCifarDir,
} from '../helpers/data-files';

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

const C10_MEAN = [0.4914, 0.4822, 0.4465];
const C10_STD = [0.247, 0.243, 0.261];

/** Raw byte of the planar record at (row, col, channel). */
function rawPixel(pixels: Uint8Array, sample: number, r: number, q: number, c: number): number {
  return pixels[sample * 3072 + c * 1024 + r * 32 + q];
}

async function allBatches(ds: Dataset, split: 'train' | 'test', augment = false, seed = 0): Promise<Batch[]> {
  return collectBatches(ds.batches(split, { batchSize: 4, shuffle: false, augment, rng: new Rng(seed) }));
}

describe('CIFAR-10 binary', () => {
  it('loads a directory: labels, NHWC layout and normalised values', async () => {
    const files = makeCifarFiles('cifar10', { perTrainFile: [3, 2, 4, 1, 2], test: 5 });
    writeCifarDir(tmp.dir, files);
    const ds = await openCifarDataset({ variant: 'cifar10', path: tmp.dir });
    expect(ds.info).toMatchObject({
      name: 'cifar10',
      kind: 'static',
      inputShape: [32, 32, 3],
      numClasses: 10,
      trainSize: 12,
      testSize: 5,
      normalization: { mean: C10_MEAN, std: C10_STD },
    });
    expect(ds.info.classNames?.[0]).toBe('airplane');
    expect(ds.info.augmentation).toMatch(/random crop 32 with zero padding 4, horizontal flip/);
    const batches = await allBatches(ds, 'train');
    expect(batches.flatMap((b) => [...b.y])).toEqual([...files.train.labels]);
    expect(batches[0].shape).toEqual([4, 32, 32, 3]);
    // Train records concatenate data_batch_1..5 in order; check a spread of pixels in every channel.
    for (const b of batches) {
      for (let k = 0; k < b.n; k++) {
        const s = b.indices[k];
        for (const [r, q] of [
          [0, 0],
          [5, 17],
          [31, 31],
          [12, 0],
        ]) {
          for (let c = 0; c < 3; c++) {
            const raw = rawPixel(files.train.pixels, s, r, q, c);
            const got = b.x[k * 3072 + (r * 32 + q) * 3 + c];
            expect(got).toBeCloseTo((raw / 255 - C10_MEAN[c]) / C10_STD[c], 5);
          }
        }
      }
    }
    const test = await allBatches(ds, 'test');
    expect(test.flatMap((b) => [...b.y])).toEqual([...files.test.labels]);
  });

  it('exact normalisation constants: byte 0 and byte 255 per channel', async () => {
    const files = makeCifarFiles('cifar10', { perTrainFile: [1, 1, 1, 1, 1], test: 1 });
    files.test.pixels.fill(0, 0, 1024 * 3);
    files.test.pixels.fill(255, 0, 1); // R at (0,0)
    files.contents.set('test_batch.bin', Buffer.concat([Buffer.from([3]), Buffer.from(files.test.pixels)]));
    writeCifarDir(tmp.dir, files);
    const ds = await openCifarDataset({ variant: 'cifar10', path: tmp.dir });
    const [b] = await allBatches(ds, 'test');
    expect(b.y[0]).toBe(3);
    expect(b.x[0]).toBeCloseTo(2.0591093, 6); // (1 - 0.4914) / 0.247
    expect(b.x[3]).toBeCloseTo(-1.9894737, 6); // (0 - 0.4914) / 0.247
    expect(b.x[4]).toBeCloseTo(-1.9843621, 6); // (0 - 0.4822) / 0.243
    expect(b.x[5]).toBeCloseTo(-1.710728, 6); // (0 - 0.4465) / 0.261
  });

  it('augmentation: zero-padded random crop and flip, drawn from the seed in torchvision order', async () => {
    const files = makeCifarFiles('cifar10', { perTrainFile: [2, 1, 1, 1, 1], test: 1 });
    writeCifarDir(tmp.dir, files);
    const ds = await openCifarDataset({ variant: 'cifar10', path: tmp.dir });
    const table = (raw: number, c: number): number =>
      Math.fround(Math.fround(Math.fround(raw / 255) - Math.fround(C10_MEAN[c])) / Math.fround(C10_STD[c]));

    let sawShift = false;
    let sawFlip = false;
    let sawPlain = false;
    for (let seed = 0; seed < 12; seed++) {
      const [b] = await collectBatches(
        ds.batches('train', { batchSize: 1, shuffle: false, augment: true, rng: new Rng(seed), limit: 1 }),
      );
      const replay = new Rng(seed);
      const top = replay.int(9);
      const left = replay.int(9);
      const flip = replay.next() < 0.5;
      sawShift ||= top !== 4 || left !== 4;
      sawFlip ||= flip;
      sawPlain ||= !flip;
      for (let r = 0; r < 32; r++) {
        for (let q = 0; q < 32; q++) {
          const sr = r + top - 4;
          const sq = (flip ? 31 - q : q) + left - 4;
          for (let c = 0; c < 3; c++) {
            const inside = sr >= 0 && sr < 32 && sq >= 0 && sq < 32;
            const want = table(inside ? rawPixel(files.train.pixels, 0, sr, sq, c) : 0, c);
            expect(b.x[(r * 32 + q) * 3 + c]).toBe(want);
          }
        }
      }
    }
    expect(sawShift && sawFlip && sawPlain).toBe(true);

    // One concrete case: a seed whose crop is shifted and flipped.
    let seed = 0;
    for (; ; seed++) {
      const r = new Rng(seed);
      const t = r.int(9);
      const l = r.int(9);
      if (t === 2 && l !== 4 && r.next() < 0.5) break;
    }
    const [shifted] = await collectBatches(
      ds.batches('train', { batchSize: 1, shuffle: false, augment: true, rng: new Rng(seed), limit: 1 }),
    );
    // top = 2: the first two output rows are padding (value of raw 0), row 2 is source row 0.
    expect(shifted.x[0]).toBe(table(0, 0));
    expect(shifted.x[(1 * 32 + 16) * 3 + 1]).toBe(table(0, 1));
    const l = new Rng(seed);
    l.int(9);
    const left = l.int(9);
    const q = 10;
    expect(shifted.x[(2 * 32 + q) * 3 + 2]).toBe(
      table(rawPixel(files.train.pixels, 0, 0, 31 - q + left - 4, 2), 2),
    );

    // No augmentation: the image itself, and the same Rng state before and after.
    const rng = new Rng(5);
    const before = rng.getState();
    const [plain] = await collectBatches(
      ds.batches('train', { batchSize: 1, shuffle: false, augment: false, rng, limit: 1 }),
    );
    expect(rng.getState()).toEqual(before);
    expect(plain.x[(7 * 32 + 9) * 3 + 1]).toBe(table(rawPixel(files.train.pixels, 0, 7, 9, 1), 1));
  });

  it('finds the extracted cifar-10-batches-bin/ subfolder and the .tar.gz archive', async () => {
    const files = makeCifarFiles('cifar10');
    writeCifarDir(path.join(tmp.dir, 'parent', files.subdir), files);
    const fromParent = await openCifarDataset({ variant: 'cifar10', path: path.join(tmp.dir, 'parent') });
    expect(fromParent.info.source).toBe(path.join(tmp.dir, 'parent', files.subdir));
    const archive = path.join(tmp.dir, 'cifar-10-binary.tar.gz');
    writeCifarArchive(archive, files);
    const fromArchive = await openCifarDataset({ variant: 'cifar10', path: archive });
    const a = await allBatches(fromParent, 'train');
    const b = await allBatches(fromArchive, 'train');
    expect(b.flatMap((x) => [...x.y])).toEqual([...files.train.labels]);
    expect(b.map((x) => x.x)).toEqual(a.map((x) => x.x));
    // A folder holding only the archive uses it too.
    const onlyArchive = path.join(tmp.dir, 'only');
    fs.mkdirSync(onlyArchive);
    fs.copyFileSync(archive, path.join(onlyArchive, 'cifar-10-binary.tar.gz'));
    const viaDir = await openCifarDataset({ variant: 'cifar10', path: onlyArchive });
    expect(viaDir.info.trainSize).toBe(files.train.count);
    // An uncompressed tar is read as well.
    const plainTar = path.join(tmp.dir, 'plain.tar');
    writeCifarArchive(plainTar, files, { gzip: false });
    expect((await openCifarDataset({ variant: 'cifar10', path: plainTar })).info.testSize).toBe(
      files.test.count,
    );
  });
});

describe('CIFAR-100 binary', () => {
  it('uses the fine label and the CIFAR-100 constants, from the archive', async () => {
    const files = makeCifarFiles('cifar100', { perTrainFile: [9], test: 4 });
    const archive = path.join(tmp.dir, 'cifar-100-binary.tar.gz');
    writeCifarArchive(archive, files);
    const ds = await openCifarDataset({ variant: 'cifar100', path: archive });
    expect(ds.info).toMatchObject({ name: 'cifar100', numClasses: 100, trainSize: 9, testSize: 4 });
    expect(ds.info.classNames?.[99]).toBe('worm');
    const train = await allBatches(ds, 'train');
    expect(train.flatMap((b) => [...b.y])).toEqual([...files.train.labels]);
    expect(files.train.labels.some((l) => l >= 20)).toBe(true); // fine labels, not coarse
    const raw = rawPixel(files.train.pixels, 0, 3, 4, 2);
    expect(train[0].x[(3 * 32 + 4) * 3 + 2]).toBeCloseTo((raw / 255 - 112.4 / 255) / (70.4 / 255), 5);
  });
});

describe('CIFAR errors name the file and the problem', () => {
  it('truncated batch file: expected N bytes, found M', async () => {
    const files = makeCifarFiles('cifar10', { perTrainFile: [3, 2, 4, 1, 2] });
    writeCifarDir(tmp.dir, files);
    const f = path.join(tmp.dir, 'data_batch_2.bin');
    truncateFile(f, -100);
    await expectDatasetError(
      openCifarDataset({ variant: 'cifar10', path: tmp.dir }),
      f,
      new RegExp(
        `truncated file: expected ${2 * 3073} bytes \\(2 records of 3073 bytes\\), found ${2 * 3073 - 100}`,
      ),
    );
  });

  it('label out of range (CIFAR-10 label, CIFAR-100 fine and coarse label)', async () => {
    const files = makeCifarFiles('cifar10');
    writeCifarDir(tmp.dir, files);
    const f = path.join(tmp.dir, 'data_batch_1.bin');
    setByte(f, 2 * 3073, 12);
    await expectDatasetError(
      openCifarDataset({ variant: 'cifar10', path: tmp.dir }),
      f,
      /label out of range: label 12 at record 2, allowed 0\.\.9/,
    );
    const c100 = makeCifarFiles('cifar100');
    const d = path.join(tmp.dir, 'c100');
    writeCifarDir(d, c100);
    const t = path.join(d, 'test.bin');
    setByte(t, 3 * 3074 + 1, 150);
    await expectDatasetError(
      openCifarDataset({ variant: 'cifar100', path: d }),
      t,
      /fine label 150 at record 3, allowed 0\.\.99/,
    );
    setByte(t, 3 * 3074 + 1, 1);
    setByte(t, 1 * 3074, 25);
    await expectDatasetError(
      openCifarDataset({ variant: 'cifar100', path: d }),
      t,
      /coarse label 25 at record 1, allowed 0\.\.19/,
    );
  });

  it('bad member inside an archive is named archive:member', async () => {
    const files = makeCifarFiles('cifar10');
    const bad = Buffer.from(files.contents.get('test_batch.bin') as Buffer);
    bad[0] = 10;
    files.contents.set('test_batch.bin', bad);
    const archive = path.join(tmp.dir, 'cifar-10-binary.tar.gz');
    writeCifarArchive(archive, files);
    await expectDatasetError(
      openCifarDataset({ variant: 'cifar10', path: archive }),
      `${archive}:cifar-10-batches-bin/test_batch.bin`,
      /label 10 at record 0/,
    );
  });

  it('missing file: which one and where it looked', async () => {
    const files = makeCifarFiles('cifar10');
    writeCifarDir(tmp.dir, files);
    fs.rmSync(path.join(tmp.dir, 'data_batch_3.bin'));
    const err = await expectDatasetError(
      openCifarDataset({ variant: 'cifar10', path: tmp.dir }),
      path.join(tmp.dir, 'data_batch_3.bin'),
      /missing file data_batch_3\.bin: looked in/,
    );
    expect(err.problem).toContain(path.join(tmp.dir, 'cifar-10-batches-bin'));
    expect(err.problem).toContain('cifar-10-binary.tar.gz');
    await expectDatasetError(
      openCifarDataset({ variant: 'cifar10', path: path.join(tmp.dir, 'nope') }),
      path.join(tmp.dir, 'nope'),
      /not found/,
    );
  });

  it('archive without a needed member (e.g. the CIFAR-100 archive opened as CIFAR-10)', async () => {
    const archive = path.join(tmp.dir, 'cifar-100-binary.tar.gz');
    writeCifarArchive(archive, makeCifarFiles('cifar100'));
    await expectDatasetError(
      openCifarDataset({ variant: 'cifar10', path: archive }),
      archive,
      /missing file data_batch_1\.bin: the archive has no member cifar-10-batches-bin\/data_batch_1\.bin/,
    );
  });

  it('corrupt and truncated archives', async () => {
    const files = makeCifarFiles('cifar10');
    const tarFile = path.join(tmp.dir, 'c.tar');
    writeCifarArchive(tarFile, files, { gzip: false });
    const buf = fs.readFileSync(tarFile);
    buf[512 + 3] ^= 0x55; // second header (first file member)
    fs.writeFileSync(tarFile, buf);
    await expectDatasetError(
      openCifarDataset({ variant: 'cifar10', path: tarFile }),
      tarFile,
      /corrupt tar archive: header checksum mismatch at offset 512/,
    );

    const cut = path.join(tmp.dir, 'cut.tar');
    writeCifarArchive(cut, files, { gzip: false });
    truncateFile(cut, 512 + 512 + 1000);
    await expectDatasetError(
      openCifarDataset({ variant: 'cifar10', path: cut }),
      cut,
      new RegExp(
        `truncated tar archive: member cifar-10-batches-bin/data_batch_1.bin expected ${3 * 3073} bytes, found 1000`,
      ),
    );

    const gz = path.join(tmp.dir, 'cifar-10-binary.tar.gz');
    writeCifarArchive(gz, files);
    truncateFile(gz, -200);
    await expectDatasetError(
      openCifarDataset({ variant: 'cifar10', path: gz }),
      gz,
      /corrupt or truncated gzip data/,
    );

    const notTar = path.join(tmp.dir, 'random.bin');
    fs.writeFileSync(notTar, Buffer.alloc(2048, 7));
    await expectDatasetError(
      openCifarDataset({ variant: 'cifar10', path: notTar }),
      notTar,
      /not a tar file/,
    );
  });
});
