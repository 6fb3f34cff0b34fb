/**
 * Image folders (src-main/engine/data/image-folder/): real JPEG and PNG files written with sharp,
 * read through openDataset as a run reads them. Classes in sorted folder order, ImageFolder's way;
 * both layouts (train/ and val/, or class folders with every tenth image held out); the test crop
 * is the centre of the image resized to 8/7 of the crop size, normalised with ImageNet's mean and
 * std, exactly; training crops are drawn, flipped and still normalised pixels; the decoded cache is
 * made once, reused, and rebuilt when an image changes; bad folders and files are refused by name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { Batch, Dataset } from '../../src-main/engine/data/dataset';
import { openDataset } from '../../src-main/engine/data/registry';
import { IMAGENET_NORMALIZATION } from '../../src-main/engine/data/image-folder/resized-crop';
import { Rng } from '../../src-main/engine/random';
import { writeImageFolder } from '../helpers/image-folder';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-image-folder-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const SIZE = 24;
const SHORT = 27; // round(24 * 8 / 7)

async function all(data: Dataset, split: 'train' | 'test', augment: boolean, seed = 1): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of data.batches(split, { batchSize: 8, shuffle: false, augment, rng: new Rng(seed) }))
    out.push(b);
  return out;
}

describe('an image folder as a dataset', () => {
  const split = path.join(dir, 'split');
  const flat = path.join(dir, 'flat');

  it('train/ and val/: classes in sorted order, every image, the test crop exactly', async () => {
    await writeImageFolder(split, { classes: ['zebra', 'ant', 'moth'], perClass: 6, layout: 'split' });
    const progress: string[] = [];
    const data = await openDataset(
      { kind: 'image-folder', path: split, imageSize: SIZE },
      { onProgress: (p) => progress.push(`${p.split}:${p.phase}`) },
    );
    try {
      expect(data.info).toMatchObject({
        kind: 'static',
        inputShape: [SIZE, SIZE, 3],
        numClasses: 3,
        classNames: ['ant', 'moth', 'zebra'],
        trainSize: 18,
        testSize: 9,
      });
      expect(progress).toContain('train:convert');
      expect(progress).toContain('test:done');
      const test = await all(data, 'test', false);
      expect(test.map((b) => b.n)).toEqual([8, 1]);
      // val/ant's images first (label 0), then moth's (1), then zebra's (2).
      expect(Array.from(test.flatMap((b) => Array.from(b.y)))).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);

      // The first test image by hand: resized by sharp to a shorter side of 27, centre 24 x 24.
      const file = path.join(split, 'val', 'ant', 'img000.png');
      const meta = await sharp(file).metadata();
      const [w, h] =
        meta.width! <= meta.height!
          ? [SHORT, Math.floor((SHORT * meta.height!) / meta.width!)]
          : [Math.floor((SHORT * meta.width!) / meta.height!), SHORT];
      const { data: raw } = await sharp(file)
        .removeAlpha()
        .toColourspace('srgb')
        .resize(w, h, { fit: 'fill', kernel: 'linear' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const top = Math.round((h - SIZE) / 2);
      const left = Math.round((w - SIZE) / 2);
      const { mean, std } = IMAGENET_NORMALIZATION;
      const expected = new Float32Array(SIZE * SIZE * 3);
      for (let y = 0; y < SIZE; y++)
        for (let x = 0; x < SIZE; x++)
          for (let c = 0; c < 3; c++)
            expected[(y * SIZE + x) * 3 + c] =
              (raw[((top + y) * w + left + x) * 3 + c] / 255 - mean[c]) / std[c];
      expect(Array.from(test[0].x.subarray(0, SIZE * SIZE * 3))).toEqual(Array.from(expected));
    } finally {
      await data.close();
    }
  });

  it('training crops: drawn from the seed, the same for the same seed, still normalised pixels', async () => {
    const data = await openDataset({ kind: 'image-folder', path: split, imageSize: SIZE });
    try {
      const plain = await all(data, 'train', false);
      const a = await all(data, 'train', true, 5);
      const b = await all(data, 'train', true, 5);
      const c = await all(data, 'train', true, 6);
      expect(a.map((x) => Array.from(x.x))).toEqual(b.map((x) => Array.from(x.x)));
      expect(a[0].x).not.toEqual(c[0].x);
      expect(a[0].x).not.toEqual(plain[0].x);
      expect(a[0].shape).toEqual([8, SIZE, SIZE, 3]);
      // Still normalised pixels: within what 0 and 255 become.
      const { mean, std } = IMAGENET_NORMALIZATION;
      const lo = Math.min(...mean.map((m, i) => -m / std[i]));
      const hi = Math.max(...mean.map((m, i) => (1 - m) / std[i]));
      for (const batch of a) for (const v of batch.x) expect(v >= lo - 1e-6 && v <= hi + 1e-6).toBe(true);
    } finally {
      await data.close();
    }
  });

  it('reuses its cache, and rebuilds it when an image changes', async () => {
    const seen: string[] = [];
    const open = async () => {
      seen.length = 0;
      const data = await openDataset(
        { kind: 'image-folder', path: split, imageSize: SIZE },
        { onProgress: (p) => seen.push(`${p.split}:${p.phase}${p.reason ? `:${p.reason}` : ''}`) },
      );
      await data.close();
    };
    await open();
    expect(seen).toEqual(['train:cached', 'test:cached']);
    const changed = path.join(split, 'train', 'moth', 'img001.jpg');
    await sharp({ create: { width: 50, height: 20, channels: 3, background: { r: 9, g: 99, b: 199 } } })
      .jpeg()
      .toFile(changed);
    await open();
    expect(seen[0]).toMatch(/^train:convert/);
    expect(seen).toContain('test:cached');
  });

  it('class folders alone: every tenth image of a class is a test image', async () => {
    await writeImageFolder(flat, { classes: ['cat', 'dog'], perClass: 12, layout: 'flat' });
    const data = await openDataset({ kind: 'image-folder', path: flat, imageSize: 16 });
    try {
      expect(data.info).toMatchObject({ numClasses: 2, trainSize: 22, testSize: 2, inputShape: [16, 16, 3] });
      const test = await all(data, 'test', false);
      expect(Array.from(test[0].y)).toEqual([0, 1]);
    } finally {
      await data.close();
    }
  });

  it('refuses a folder without classes, and names an image it cannot read', async () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(path.join(empty, 'only'), { recursive: true });
    await expect(openDataset({ kind: 'image-folder', path: empty, imageSize: SIZE })).rejects.toThrow(
      /expected class folders of JPEG\/PNG images \(at least 2\).*found only only\//,
    );
    const broken = path.join(dir, 'broken');
    await writeImageFolder(broken, { classes: ['a', 'b'], perClass: 10, layout: 'flat' });
    fs.writeFileSync(path.join(broken, 'b', 'img004.jpg'), 'not a jpeg at all');
    await expect(openDataset({ kind: 'image-folder', path: broken, imageSize: SIZE })).rejects.toThrow(
      /b\/img004\.jpg: cannot be read as an image/,
    );
  });
});
