/**
 * Training augmentation of the reference (torchvision semantics):
 * `RandomCrop(size, padding=pad)` pads every side with `pad` zeros of the raw
 * image and picks the crop's top and left offsets uniformly in 0..2*pad,
 * then `RandomHorizontalFlip()` mirrors when a uniform draw is < 0.5.
 * One `CropFlip` is drawn per sample and, for DVS frames, shared by all of
 * the sample's frames (torchvision crops the whole [T, C, H, W] tensor at once).
 */
import type { Rng } from '../random';

export interface CropFlip {
  /** Row offset into the padded image, 0..2*pad. `pad` means no shift. */
  readonly top: number;
  /** Column offset into the padded image, 0..2*pad. */
  readonly left: number;
  readonly flip: boolean;
}

export type Augmentation =
  { readonly kind: 'none' } | { readonly kind: 'crop-flip'; readonly pad: number; readonly flip: boolean };

export const NO_AUGMENTATION: Augmentation = { kind: 'none' };

export function identityCrop(aug: Augmentation): CropFlip {
  const pad = aug.kind === 'crop-flip' ? aug.pad : 0;
  return { top: pad, left: pad, flip: false };
}

/** Draws in torchvision's order: crop top, crop left, then the flip coin. */
export function drawCropFlip(aug: Augmentation, rng: Rng): CropFlip {
  if (aug.kind === 'none') return identityCrop(aug);
  const top = rng.int(2 * aug.pad + 1);
  const left = rng.int(2 * aug.pad + 1);
  const flip = aug.flip ? rng.next() < 0.5 : false;
  return { top, left, flip };
}

export function describeAugmentation(aug: Augmentation, size: string): string {
  if (aug.kind === 'none') return 'none';
  return `random crop ${size} with zero padding ${aug.pad}` + (aug.flip ? ', horizontal flip p=0.5' : '');
}

/**
 * For each output coordinate 0..n-1 along one axis, the source coordinate in
 * the unpadded image, or -1 where the crop lies in the zero padding.
 * `offset` is the crop offset into the padded image; `mirror` flips the axis
 * after cropping (flip is applied to the cropped image, as torchvision does).
 */
export function sourceIndex(n: number, pad: number, offset: number, mirror: boolean): Int32Array {
  const map = new Int32Array(n);
  for (let o = 0; o < n; o++) {
    const cropped = mirror ? n - 1 - o : o;
    const src = cropped + offset - pad;
    map[o] = src >= 0 && src < n ? src : -1;
  }
  return map;
}
