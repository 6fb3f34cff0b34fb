import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openIdxDataset, parseIdxImages } from '../../src-main/engine/data/idx';
import { Rng } from '../../src-main/engine/random';
import {
  collectBatches,
  corruptGzip,
  corruptMagic,
  expectDatasetError,
  idxLabelsBytes,
  makeTempDir,
  setByte,
  type TempDir,
  truncateFile,
  writeIdxDataset,
} from '../helpers/data-files';

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

describe('IDX loader', () => {
  for (const gzip of [false, true, 'unnamed'] as const) {
    it(`round-trips exact pixels (/255) and labels (gzip: ${gzip})`, async () => {
      const w = writeIdxDataset(tmp.dir, { gzip, train: 23, test: 7 });
      const ds = await openIdxDataset({ name: 'fashion-mnist', dir: tmp.dir });
      expect(ds.info).toMatchObject({
        name: 'fashion-mnist',
        kind: 'static',
        inputShape: [5, 4, 1],
        numClasses: 10,
        trainSize: 23,
        testSize: 7,
        augmentation: 'none',
      });
      expect(ds.info.classNames?.[9]).toBe('Ankle boot');
      const batches = await collectBatches(
        ds.batches('train', { batchSize: 10, shuffle: false, augment: false, rng: new Rng(0) }),
      );
      expect(batches.map((b) => b.n)).toEqual([10, 10, 3]);
      expect(batches[0].shape).toEqual([10, 5, 4, 1]);
      const x = new Float32Array(batches.flatMap((b) => [...b.x]));
      const y = batches.flatMap((b) => [...b.y]);
      expect(y).toEqual([...w.train.labels]);
      expect(x.length).toBe(w.train.pixels.length);
      for (let i = 0; i < x.length; i++) expect(x[i]).toBe(Math.fround(w.train.pixels[i] / 255));
      const test = await collectBatches(
        ds.batches('test', { batchSize: 100, shuffle: false, augment: false, rng: new Rng(0) }),
      );
      expect([...test[0].y]).toEqual([...w.test.labels]);
      expect(test[0].x[0]).toBe(Math.fround(w.test.pixels[0] / 255));
    });
  }

  it('augment is a no-op (the reference has none) and normalize applies mean/std', async () => {
    const w = writeIdxDataset(tmp.dir, { train: 4, test: 2 });
    const plain = await openIdxDataset({ name: 'fashion-mnist', dir: tmp.dir });
    const opts = { batchSize: 4, shuffle: false, rng: new Rng(1) };
    const [a] = await collectBatches(plain.batches('train', { ...opts, augment: true }));
    const [b] = await collectBatches(plain.batches('train', { ...opts, augment: false }));
    expect(a.x).toEqual(b.x);
    const norm = await openIdxDataset({ name: 'fashion-mnist', dir: tmp.dir, normalize: true });
    expect(norm.info.normalization).toEqual({ mean: [0.286], std: [0.353] });
    const [c] = await collectBatches(norm.batches('train', { ...opts, augment: false }));
    const v = w.train.pixels[3];
    expect(c.x[3]).toBeCloseTo((v / 255 - 0.286) / 0.353, 5);
  });

  it('limit uses the first N samples; shuffle covers the split exactly once, deterministically', async () => {
    const w = writeIdxDataset(tmp.dir, { train: 23, test: 7 });
    const ds = await openIdxDataset({ name: 'mnist', dir: tmp.dir });
    expect(ds.info.classNames?.[3]).toBe('3');
    const limited = await collectBatches(
      ds.batches('train', { batchSize: 4, shuffle: false, augment: false, rng: new Rng(0), limit: 6 }),
    );
    expect(limited.map((b) => b.n)).toEqual([4, 2]);
    expect(limited.flatMap((b) => [...b.y])).toEqual([...w.train.labels.subarray(0, 6)]);

    const pass = async (seed: number, limit?: number) =>
      collectBatches(
        ds.batches('train', { batchSize: 5, shuffle: true, augment: false, rng: new Rng(seed), limit }),
      );
    const p1 = await pass(4);
    const idx = p1.flatMap((b) => [...b.indices]);
    expect([...idx].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(idx).not.toEqual(Array.from({ length: 23 }, (_, i) => i));
    // Labels and pixels travel with their index.
    for (const b of p1) {
      b.indices.forEach((i, k) => {
        expect(b.y[k]).toBe(w.train.labels[i]);
        expect(b.x[k * 20]).toBe(Math.fround(w.train.pixels[i * 20] / 255));
      });
    }
    const p2 = await pass(4);
    expect(p2.flatMap((b) => [...b.indices])).toEqual(idx);
    const p3 = await pass(5);
    expect(p3.flatMap((b) => [...b.indices])).not.toEqual(idx);
    const lim = (await pass(4, 9)).flatMap((b) => [...b.indices]);
    expect([...lim].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const dropped = await collectBatches(
      ds.batches('train', { batchSize: 5, shuffle: false, augment: false, rng: new Rng(0), dropLast: true }),
    );
    expect(dropped.map((b) => b.n)).toEqual([5, 5, 5, 5]);
  });

  it('rejects bad batch options', async () => {
    writeIdxDataset(tmp.dir);
    const ds = await openIdxDataset({ name: 'mnist', dir: tmp.dir });
    await expect(
      collectBatches(ds.batches('train', { batchSize: 0, shuffle: false, augment: false, rng: new Rng(0) })),
    ).rejects.toThrow(/batchSize/);
    await expect(
      collectBatches(
        ds.batches('train', { batchSize: 2, shuffle: false, augment: false, rng: new Rng(0), limit: -1 }),
      ),
    ).rejects.toThrow(/limit/);
  });
});

describe('IDX errors name the file and the problem', () => {
  it('wrong magic number: expected vs found', async () => {
    const w = writeIdxDataset(tmp.dir);
    corruptMagic(w.files.trainImages, 0x00000801);
    await expectDatasetError(
      openIdxDataset({ name: 'mnist', dir: tmp.dir }),
      w.files.trainImages,
      /wrong magic number: expected 0x00000803 .*found 0x00000801/,
    );
  });

  it('truncated images file: expected N bytes, found M', async () => {
    const w = writeIdxDataset(tmp.dir, { train: 23, rows: 5, cols: 4 });
    truncateFile(w.files.trainImages, -7);
    const full = 16 + 23 * 20;
    await expectDatasetError(
      openIdxDataset({ name: 'mnist', dir: tmp.dir }),
      w.files.trainImages,
      new RegExp(`truncated file: expected ${full} bytes .*found ${full - 7}`),
    );
  });

  it('truncated gzipped file is reported as corrupt/truncated gzip', async () => {
    const w = writeIdxDataset(tmp.dir, { gzip: true });
    truncateFile(w.files.testImages, -12);
    await expectDatasetError(
      openIdxDataset({ name: 'mnist', dir: tmp.dir }),
      w.files.testImages,
      /corrupt or truncated gzip data/,
    );
  });

  it('corrupt gzip data', async () => {
    const w = writeIdxDataset(tmp.dir, { gzip: true });
    corruptGzip(w.files.trainLabels);
    await expectDatasetError(
      openIdxDataset({ name: 'mnist', dir: tmp.dir }),
      w.files.trainLabels,
      /corrupt or truncated gzip data/,
    );
  });

  it('label out of range: which label at which record', async () => {
    const w = writeIdxDataset(tmp.dir);
    setByte(w.files.trainLabels, 8 + 5, 12);
    await expectDatasetError(
      openIdxDataset({ name: 'mnist', dir: tmp.dir }),
      w.files.trainLabels,
      /label out of range: label 12 at record 5, allowed 0\.\.9/,
    );
  });

  it('image/label count mismatch', async () => {
    const w = writeIdxDataset(tmp.dir, { test: 7 });
    fs.writeFileSync(w.files.testLabels, idxLabelsBytes(new Uint8Array(6)));
    await expectDatasetError(
      openIdxDataset({ name: 'mnist', dir: tmp.dir }),
      w.files.testLabels,
      /count mismatch: 6 labels but 7 images/,
    );
  });

  it('missing file: names the file and where it looked', async () => {
    const w = writeIdxDataset(tmp.dir);
    fs.rmSync(w.files.testLabels);
    const err = await expectDatasetError(
      openIdxDataset({ name: 'fashion-mnist', dir: tmp.dir }),
      path.join(tmp.dir, 't10k-labels-idx1-ubyte'),
      /missing file t10k-labels-idx1-ubyte\(\.gz\)/,
    );
    expect(err.problem).toContain(tmp.dir);
    expect(err.problem).toContain('t10k-labels-idx1-ubyte.gz');
  });

  it('missing directory and mnist without a directory', async () => {
    const nowhere = path.join(tmp.dir, 'nope');
    await expectDatasetError(openIdxDataset({ name: 'mnist', dir: nowhere }), nowhere, /not found/);
    await expect(openIdxDataset({ name: 'mnist' })).rejects.toThrow(/needs a directory/);
  });

  it('parseIdxImages rejects trailing bytes and a short header', () => {
    const b = Buffer.alloc(16 + 4 + 1);
    b.writeUInt32BE(0x803, 0);
    b.writeUInt32BE(1, 4);
    b.writeUInt32BE(2, 8);
    b.writeUInt32BE(2, 12);
    expect(() => parseIdxImages(b, 'f.idx')).toThrow(
      /f\.idx: unexpected trailing data: expected 20 bytes .*found 21/,
    );
    expect(() => parseIdxImages(b.subarray(0, 3), 'g.idx')).toThrow(/g\.idx: truncated file/);
  });
});
