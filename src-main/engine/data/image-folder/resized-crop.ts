/**
 * The ImageNet recipe's crops (reference glif.md section 8), torchvision's semantics:
 *
 *   train: RandomResizedCrop(size, scale=(0.2, 1), ratio=(3/4, 4/3)) then RandomHorizontalFlip();
 *   test:  Resize(size * 8/7) then CenterCrop(size)  (256 and 224 at ImageNet's size);
 *
 * both from the cached image whose shorter side is already `size * 8/7` (image-cache.ts), and
 * normalised with ImageNet's mean and std. The test crop is the authors' Resize then CenterCrop (the
 * cache is the resize). The train crop is not: torchvision draws it on the original file, here it
 * is drawn on the cached image. It covers the same share of the picture, but its pixels are the cached
 * ones, resampled bilinearly without antialiasing: a crop can be up to 4/3 of the shorter side wide
 * (341 px from a 256 x 341 cache, shrunk 1.52x to 224), and a small-scale crop (20% of the area,
 * about 114 px on a 256 side) is upsampled to 224 from a smaller region than the authors' crop of
 * the full-resolution image would give. A documented departure (README, image folders).
 */
import type { Rng } from '../../random';

export const IMAGENET_NORMALIZATION = {
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
} as const;

export const CROP_SCALE: readonly [number, number] = [0.2, 1];
const LOG_RATIO: readonly [number, number] = [Math.log(3 / 4), Math.log(4 / 3)];

/** The cached images' shorter side for a crop of `size`: 256 for 224, as the authors resize. */
export function shortSideFor(size: number): number {
  return Math.round((size * 8) / 7);
}

export interface CropBox {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
  readonly flip: boolean;
}

/** torchvision's RandomResizedCrop.get_params (ten tries, then a central crop), then the flip coin. */
export function drawResizedCrop(height: number, width: number, rng: Rng): CropBox {
  const area = height * width;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(CROP_SCALE[0], CROP_SCALE[1]);
    const ratio = Math.exp(rng.uniform(LOG_RATIO[0], LOG_RATIO[1]));
    const w = Math.round(Math.sqrt(target * ratio));
    const h = Math.round(Math.sqrt(target / ratio));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      return { top, left, height: h, width: w, flip: rng.next() < 0.5 };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < 3 / 4) h = Math.round(w / (3 / 4));
  else if (inRatio > 4 / 3) w = Math.round(h * (4 / 3));
  return {
    top: Math.floor((height - h) / 2),
    left: Math.floor((width - w) / 2),
    height: h,
    width: w,
    flip: rng.next() < 0.5,
  };
}

/** CenterCrop(size) as torchvision places it: offsets rounded to the nearest pixel. */
export function centerCrop(height: number, width: number, size: number): CropBox {
  return {
    top: Math.round((height - size) / 2),
    left: Math.round((width - size) / 2),
    height: size,
    width: size,
    flip: false,
  };
}

/**
 * Writes `box` of an HWC RGB image, resampled bilinearly to size x size (half-pixel centres, as
 * PyTorch's interpolate with align_corners=False) and normalised, into `dst` at `dstOff`. A box of
 * the output's size is copied pixel for pixel.
 */
export function writeCrop(
  src: Uint8Array,
  srcHeight: number,
  srcWidth: number,
  box: CropBox,
  size: number,
  dst: Float32Array,
  dstOff: number,
): void {
  if (box.top < 0 || box.left < 0 || box.top + box.height > srcHeight || box.left + box.width > srcWidth) {
    throw new Error(
      `crop ${box.width}x${box.height} at (${box.left}, ${box.top}) does not fit a ${srcWidth}x${srcHeight} image`,
    );
  }
  const { mean, std } = IMAGENET_NORMALIZATION;
  const value = (v: number, c: number) => (v / 255 - mean[c]) / std[c];
  const sy = box.height / size;
  const sx = box.width / size;
  let o = dstOff;
  for (let y = 0; y < size; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), box.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, box.height - 1);
    const wy = fy - y0;
    const row0 = (box.top + y0) * srcWidth;
    const row1 = (box.top + y1) * srcWidth;
    for (let x = 0; x < size; x++) {
      const xx = box.flip ? size - 1 - x : x;
      const fx = Math.min(Math.max((xx + 0.5) * sx - 0.5, 0), box.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, box.width - 1);
      const wx = fx - x0;
      const p00 = (row0 + box.left + x0) * 3;
      const p01 = (row0 + box.left + x1) * 3;
      const p10 = (row1 + box.left + x0) * 3;
      const p11 = (row1 + box.left + x1) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[p00 + c] + (src[p01 + c] - src[p00 + c]) * wx;
        const bottom = src[p10 + c] + (src[p11 + c] - src[p10 + c]) * wx;
        dst[o++] = value(top + (bottom - top) * wy, c);
      }
    }
  }
}
