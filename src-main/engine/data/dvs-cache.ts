/**
 * On-disk cache of converted DVS frames, one file per split, read one sample
 * at a time so a training pass never holds the whole split in memory
 * (CIFAR10-DVS at T=16, 48x48x2 is ~2.9 GB of float32).
 *
 * Layout (little-endian):
 *   0   8 bytes  magic "GLIFDVS\0"
 *   8   uint32   format version
 *   12  uint32   T, 16 uint32 height, 20 uint32 width, 24 uint32 channels
 *   28  uint32   sample count
 *   32  32 bytes fingerprint of the sources and conversion settings (sha256)
 *   64  int32[count] labels
 *   then count records of T*height*width*channels float32, [T, H, W, C] each.
 * A file is written under a temporary name and renamed when complete, so a
 * cache that exists is either whole or detectably wrong (size, magic, version,
 * fingerprint), and then it is rebuilt.
 */
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import { DatasetError } from './errors';

export const DVS_CACHE_VERSION = 1;
const MAGIC = Buffer.from('GLIFDVS\0', 'latin1');
const HEADER_BYTES = 64;

export interface CacheShape {
  readonly timeSteps: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export function sampleFloats(s: CacheShape): number {
  return s.timeSteps * s.height * s.width * s.channels;
}

function expectedSize(s: CacheShape, count: number): number {
  return HEADER_BYTES + 4 * count + count * 4 * sampleFloats(s);
}

function assertLittleEndian(): void {
  // Frames are written as the raw bytes of a Float32Array.
  if (os.endianness() !== 'LE') throw new Error('the DVS frame cache needs a little-endian machine');
}

function encodeHeader(shape: CacheShape, count: number, fingerprint: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeUInt32LE(DVS_CACHE_VERSION, 8);
  h.writeUInt32LE(shape.timeSteps, 12);
  h.writeUInt32LE(shape.height, 16);
  h.writeUInt32LE(shape.width, 20);
  h.writeUInt32LE(shape.channels, 24);
  h.writeUInt32LE(count, 28);
  fingerprint.copy(h, 32, 0, 32);
  return h;
}

/** Random access to the samples of one cache file. */
export class FrameCacheReader {
  private constructor(
    readonly file: string,
    private readonly fh: fsp.FileHandle,
    readonly shape: CacheShape,
    readonly labels: Int32Array,
  ) {}

  get count(): number {
    return this.labels.length;
  }

  /**
   * Opens a cache if it is complete and was made from the same sources and
   * settings; otherwise returns why it cannot be used.
   */
  static async open(
    file: string,
    shape: CacheShape,
    count: number,
    fingerprint: Buffer,
  ): Promise<FrameCacheReader | { unusable: string }> {
    assertLittleEndian();
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(file, 'r');
    } catch {
      return { unusable: 'no cache yet' };
    }
    try {
      const st = await fh.stat();
      const header = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await fh.read(header, 0, HEADER_BYTES, 0);
      const problem =
        bytesRead < HEADER_BYTES || !header.subarray(0, 8).equals(MAGIC)
          ? 'not a frame cache file'
          : header.readUInt32LE(8) !== DVS_CACHE_VERSION
            ? `cache format version ${header.readUInt32LE(8)}, need ${DVS_CACHE_VERSION}`
            : !header.equals(encodeHeader(shape, count, fingerprint))
              ? 'made from other files or settings'
              : st.size !== expectedSize(shape, count)
                ? `size ${st.size} bytes, expected ${expectedSize(shape, count)} (incomplete or corrupt)`
                : undefined;
      if (problem) {
        await fh.close();
        return { unusable: problem };
      }
      const labels = new Int32Array(count);
      await fh.read(new Uint8Array(labels.buffer), 0, 4 * count, HEADER_BYTES);
      return new FrameCacheReader(file, fh, shape, labels);
    } catch (err) {
      await fh.close();
      return { unusable: `unreadable (${err instanceof Error ? err.message : String(err)})` };
    }
  }

  /** Reads sample `index` ([T, H, W, C] floats) into `dst` starting at `dstOff`. */
  async readSample(index: number, dst: Float32Array, dstOff: number): Promise<void> {
    const floats = sampleFloats(this.shape);
    const bytes = 4 * floats;
    const pos = HEADER_BYTES + 4 * this.count + index * bytes;
    const target = new Uint8Array(dst.buffer, dst.byteOffset + 4 * dstOff, bytes);
    const { bytesRead } = await this.fh.read(target, 0, bytes, pos);
    if (bytesRead !== bytes) {
      throw new DatasetError(
        this.file,
        `truncated frame cache: sample ${index} expected ${bytes} bytes, found ${bytesRead}`,
      );
    }
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}

/**
 * Writes a cache file: header and labels first, then each sample's frames in
 * order as `produce(i)` returns them. Renamed into place only when complete.
 */
export async function writeFrameCache(
  file: string,
  shape: CacheShape,
  labels: Int32Array,
  fingerprint: Buffer,
  produce: (index: number) => Promise<Float32Array>,
): Promise<void> {
  assertLittleEndian();
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await fsp.open(tmp, 'w');
  let ok = false;
  try {
    await fh.write(encodeHeader(shape, labels.length, fingerprint), 0, HEADER_BYTES, 0);
    await fh.write(
      new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength),
      0,
      labels.byteLength,
      HEADER_BYTES,
    );
    const floats = sampleFloats(shape);
    let pos = HEADER_BYTES + labels.byteLength;
    for (let i = 0; i < labels.length; i++) {
      const frames = await produce(i);
      if (frames.length !== floats)
        throw new Error(`sample ${i} has ${frames.length} values, expected ${floats}`);
      const bytes = new Uint8Array(frames.buffer, frames.byteOffset, frames.byteLength);
      await fh.write(bytes, 0, bytes.length, pos);
      pos += bytes.length;
    }
    ok = true;
  } finally {
    await fh.close();
    if (!ok) await fsp.rm(tmp, { force: true });
  }
  await fsp.rename(tmp, file);
}
