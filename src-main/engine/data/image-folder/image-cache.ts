/**
 * The decoded images of one split of an image folder, resized once so that their shorter side is
 * `shortSide` pixels (torchvision's `Resize(shortSide)`: the longer side keeps the aspect ratio,
 * rounded down), as 8-bit RGB, so an epoch reads pixels instead of decoding JPEGs again. Decoding
 * is libvips' through sharp, with its linear (antialiased bilinear) kernel.
 *
 * Layout (little-endian):
 *   0   8 bytes  magic "GLIFIMG\0"
 *   8   uint32   format version
 *   12  uint32   short side
 *   16  uint32   sample count
 *   20  12 bytes zero
 *   32  32 bytes fingerprint of the sources and settings (sha256)
 *   64  count records of uint32 label, uint32 height, uint32 width
 *   then each sample's height*width*3 bytes, HWC, in order.
 * Written under a temporary name and renamed when whole, so a cache that exists is either complete
 * or detectably wrong (magic, version, fingerprint, size), and then it is rebuilt.
 */
import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import type { PrepareProgress } from '../dataset';
import { DatasetError } from '../errors';
import { progressThrottle } from '../progress-throttle';
import type { ImageEntry } from './scan';

export const IMAGE_CACHE_VERSION = 1;
const MAGIC = Buffer.from('GLIFIMG\0', 'latin1');
const HEADER_BYTES = 64;
const RECORD_BYTES = 12;

/** One split's cache being prepared: a file found valid, or one more image decoded. */
export type ImageCacheProgress = PrepareProgress;

/** What the cache of a list of images must have been made from: files, sizes, times, labels. */
export async function imageFingerprint(entries: readonly ImageEntry[], shortSide: number): Promise<Buffer> {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: IMAGE_CACHE_VERSION, shortSide, kernel: 'linear' }));
  for (const e of entries) {
    const st = await fsp.stat(e.file).catch(() => null);
    h.update(`${e.file}\0${e.label}\0${st?.size ?? -1}\0${st?.mtimeMs ?? -1}\n`);
  }
  return h.digest();
}

function header(shortSide: number, count: number, fingerprint: Buffer): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(b, 0);
  b.writeUInt32LE(IMAGE_CACHE_VERSION, 8);
  b.writeUInt32LE(shortSide, 12);
  b.writeUInt32LE(count, 16);
  fingerprint.copy(b, 32, 0, 32);
  return b;
}

/** torchvision's Resize(size) of a width x height image: the shorter side to `size`. */
export function resizedDims(width: number, height: number, size: number): [number, number] {
  return width <= height
    ? [size, Math.max(1, Math.floor((size * height) / width))]
    : [Math.max(1, Math.floor((size * width) / height)), size];
}

/** One image decoded, made RGB and resized: HWC bytes. */
export async function decodeResized(
  file: string,
  shortSide: number,
): Promise<{ pixels: Buffer; height: number; width: number }> {
  try {
    // Loaded on first use: only image folders need libvips, and a bundle without node_modules (the
    // desktop worker's tests) or a host without the addon still trains every other dataset.
    const { default: sharp } = await import('sharp');
    const image = sharp(file, { failOn: 'error' });
    const meta = await image.metadata();
    if (!meta.width || !meta.height) throw new Error('no image size');
    const [width, height] = resizedDims(meta.width, meta.height, shortSide);
    const { data, info } = await image
      .removeAlpha()
      .toColourspace('srgb')
      .resize(width, height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels === 3) return { pixels: data, height: info.height, width: info.width };
    // A grey image without a colour conversion: repeat its channel, as PIL's convert('RGB') does.
    const rgb = Buffer.alloc(info.width * info.height * 3);
    for (let i = 0, o = 0; i < data.length; i += info.channels) {
      rgb[o++] = data[i];
      rgb[o++] = data[i];
      rgb[o++] = data[i];
    }
    return { pixels: rgb, height: info.height, width: info.width };
  } catch (err) {
    throw new DatasetError(
      file,
      `cannot be read as an image (${err instanceof Error ? err.message : String(err)})`,
    );
  }
}

/** Random access to the resized images of one cache file. */
export class ImageCacheReader {
  private constructor(
    readonly file: string,
    private readonly fh: fsp.FileHandle,
    readonly labels: Int32Array,
    readonly heights: Uint32Array,
    readonly widths: Uint32Array,
    /** Byte position of each sample's pixels. */
    private readonly offsets: Float64Array,
  ) {}

  get count(): number {
    return this.labels.length;
  }

  static async open(
    file: string,
    shortSide: number,
    count: number,
    fingerprint: Buffer,
  ): Promise<ImageCacheReader | { unusable: string }> {
    if (os.endianness() !== 'LE') throw new Error('the image cache needs a little-endian machine');
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, 'r');
    } catch {
      return { unusable: 'no cache yet' };
    }
    try {
      const head = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await fh.read(head, 0, HEADER_BYTES, 0);
      let problem =
        bytesRead < HEADER_BYTES || !head.subarray(0, 8).equals(MAGIC)
          ? 'not an image cache file'
          : head.readUInt32LE(8) !== IMAGE_CACHE_VERSION
            ? `cache format version ${head.readUInt32LE(8)}, need ${IMAGE_CACHE_VERSION}`
            : !head.equals(header(shortSide, count, fingerprint))
              ? 'made from other files or settings'
              : undefined;
      const records = Buffer.alloc(RECORD_BYTES * count);
      const labels = new Int32Array(count);
      const heights = new Uint32Array(count);
      const widths = new Uint32Array(count);
      const offsets = new Float64Array(count);
      if (!problem) {
        await fh.read(records, 0, records.length, HEADER_BYTES);
        let pos = HEADER_BYTES + records.length;
        for (let i = 0; i < count; i++) {
          labels[i] = records.readUInt32LE(i * RECORD_BYTES);
          heights[i] = records.readUInt32LE(i * RECORD_BYTES + 4);
          widths[i] = records.readUInt32LE(i * RECORD_BYTES + 8);
          offsets[i] = pos;
          pos += heights[i] * widths[i] * 3;
        }
        const size = (await fh.stat()).size;
        if (size !== pos) problem = `size ${size} bytes, expected ${pos} (incomplete or corrupt)`;
      }
      if (problem) {
        await fh.close();
        return { unusable: problem };
      }
      return new ImageCacheReader(file, fh, labels, heights, widths, offsets);
    } catch (err) {
      await fh.close();
      return { unusable: `unreadable (${err instanceof Error ? err.message : String(err)})` };
    }
  }

  /** Sample `index`'s HWC bytes. */
  async read(index: number): Promise<Uint8Array> {
    const bytes = this.heights[index] * this.widths[index] * 3;
    const out = new Uint8Array(bytes);
    const { bytesRead } = await this.fh.read(out, 0, bytes, this.offsets[index]);
    if (bytesRead !== bytes) {
      throw new DatasetError(
        this.file,
        `truncated image cache: sample ${index} expected ${bytes} bytes, found ${bytesRead}`,
      );
    }
    return out;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/**
 * Decodes every image of a split into a new cache file, a few at a time (libvips runs them on its
 * own threads) and written in order. `onImage` hears of the first image, the last, and in between
 * about once a second (progressThrottle), not of every image.
 */
export async function writeImageCache(
  file: string,
  entries: readonly ImageEntry[],
  shortSide: number,
  fingerprint: Buffer,
  onImage: (done: number, file: string) => void,
  report: (done: number, total: number) => boolean = progressThrottle(),
): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await fsp.open(tmp, 'w');
  try {
    const records = Buffer.alloc(RECORD_BYTES * entries.length);
    await fh.write(header(shortSide, entries.length, fingerprint), 0, HEADER_BYTES, 0);
    let pos = HEADER_BYTES + records.length;
    const window = Math.max(2, os.availableParallelism());
    for (let start = 0; start < entries.length; start += window) {
      const chunk = entries.slice(start, start + window);
      const decoded = await Promise.all(chunk.map((e) => decodeResized(e.file, shortSide)));
      for (const [k, image] of decoded.entries()) {
        const i = start + k;
        records.writeUInt32LE(chunk[k].label, i * RECORD_BYTES);
        records.writeUInt32LE(image.height, i * RECORD_BYTES + 4);
        records.writeUInt32LE(image.width, i * RECORD_BYTES + 8);
        await fh.write(image.pixels, 0, image.pixels.length, pos);
        pos += image.pixels.length;
        if (report(i + 1, entries.length)) onImage(i + 1, chunk[k].file);
      }
    }
    await fh.write(records, 0, records.length, HEADER_BYTES);
    await fh.sync();
    await fh.close();
    await fsp.rename(tmp, file);
  } catch (err) {
    await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}
