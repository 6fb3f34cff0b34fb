/**
 * Image folders for the tests, written with sharp (the decoder the workbench reads them with):
 * class folders of JPEG and PNG files of different sizes and aspect ratios, one grey and one with
 * an alpha channel among them, each picture a seeded pattern so that crops and flips show.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../src-main/engine/random';

export interface ImageFolderShape {
  readonly classes: readonly string[];
  readonly perClass: number;
  /** `split`: train/ and val/ (val gets `perClass` / 2 per class); `flat`: class folders alone. */
  readonly layout: 'split' | 'flat';
  readonly seed?: number;
}

const SIZES: ReadonlyArray<readonly [number, number]> = [
  [40, 30],
  [30, 52],
  [64, 64],
  [45, 33],
  [28, 60],
];

/** One picture: a diagonal ramp per channel plus seeded noise, `channels` 1, 3 or 4. */
async function picture(file: string, width: number, height: number, channels: 1 | 3 | 4, rng: Rng) {
  const data = Buffer.alloc(width * height * channels);
  const tint = [rng.int(256), rng.int(256), rng.int(256), 255];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const ramp = c === 3 ? 255 : (x * 255) / width + (c * y * 64) / height;
        data[(y * width + x) * channels + c] = Math.min(255, (ramp + tint[c] + rng.int(32)) % 256);
      }
    }
  }
  const image = sharp(data, { raw: { width, height, channels } });
  await (file.endsWith('.png') ? image.png() : image.jpeg({ quality: 90 })).toFile(file);
}

async function fill(dir: string, classes: readonly string[], count: number, rng: Rng): Promise<void> {
  let k = 0;
  for (const name of classes) {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    for (let i = 0; i < count; i++, k++) {
      const [w, h] = SIZES[k % SIZES.length];
      const png = k % 3 === 0;
      const channels = k % 7 === 3 ? 1 : k % 7 === 5 && png ? 4 : 3;
      await picture(
        path.join(dir, name, `img${String(i).padStart(3, '0')}.${png ? 'png' : 'jpg'}`),
        w,
        h,
        channels,
        rng,
      );
    }
  }
}

export async function writeImageFolder(root: string, o: ImageFolderShape): Promise<void> {
  const rng = new Rng(o.seed ?? 3);
  if (o.layout === 'flat') {
    await fill(root, o.classes, o.perClass, rng);
    return;
  }
  await fill(path.join(root, 'train'), o.classes, o.perClass, rng);
  await fill(path.join(root, 'val'), o.classes, Math.max(1, Math.floor(o.perClass / 2)), rng);
}
