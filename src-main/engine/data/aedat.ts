/**
 * CIFAR10-DVS event files: AEDAT 2.0-style, i.e. text header lines starting
 * with '#' (the first is '#!AER-DAT2.0'), then big-endian 8-byte events:
 * uint32 address, uint32 timestamp (microseconds).
 *
 * Address bits as SpikingJelly's CIFAR10DVS loader decodes them
 * (cifar10_dvs.py, load_origin_data with filter_dvs off):
 *   polarity bit = addr & 0x1, sensor column = (addr & 0xFE) >> 1,
 *   sensor row = (addr & 0x7F00) >> 8,
 * and it then transposes and mirrors the 128x128 sensor and inverts polarity:
 *   x = 127 - row, y = 127 - column, p = 1 - polarity bit.
 * Higher address bits (event type, valid flag) are ignored, as there.
 */
import { DatasetError } from './errors';

export const DVS_SENSOR_SIZE = 128;
const EVENT_BYTES = 8;
const HASH = 0x23; // '#'
const NEWLINE = 0x0a;

export interface DvsEvents {
  readonly count: number;
  /** Frame column 0..127 of each event, in file order. */
  readonly x: Uint8Array;
  /** Frame row 0..127. */
  readonly y: Uint8Array;
  /** Polarity 0 or 1 (after SpikingJelly's inversion); frame channel = p. */
  readonly p: Uint8Array;
}

/** Byte offset where the events start: after every leading line that starts with '#'. */
export function aedatHeaderLength(buf: Uint8Array): number {
  let pos = 0;
  while (pos < buf.length && buf[pos] === HASH) {
    const nl = buf.indexOf(NEWLINE, pos);
    if (nl < 0) return buf.length;
    pos = nl + 1;
  }
  return pos;
}

/** Decodes one raw address into SpikingJelly's (x, y, p). */
export function decodeAddress(addr: number): { x: number; y: number; p: number } {
  const polarityBit = addr & 0x1;
  const column = (addr & 0xfe) >>> 1;
  const row = (addr & 0x7f00) >>> 8;
  return { x: 127 - row, y: 127 - column, p: 1 - polarityBit };
}

export function parseAedat(buf: Uint8Array, file: string): DvsEvents {
  if (buf.length === 0 || buf[0] !== HASH) {
    throw new DatasetError(
      file,
      `unparsable AEDAT file: it does not start with a '#' header line (expected '#!AER-DAT2.0')`,
    );
  }
  const start = aedatHeaderLength(buf);
  const bytes = buf.length - start;
  if (bytes % EVENT_BYTES !== 0) {
    throw new DatasetError(
      file,
      `unparsable AEDAT data: ${bytes} bytes after the ${start}-byte header is not a whole number of ` +
        `${EVENT_BYTES}-byte events (uint32 address + uint32 timestamp)`,
    );
  }
  const count = bytes / EVENT_BYTES;
  const view = new DataView(buf.buffer, buf.byteOffset + start, bytes);
  const x = new Uint8Array(count);
  const y = new Uint8Array(count);
  const p = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const addr = view.getUint32(i * EVENT_BYTES, false);
    // Inlined decodeAddress: files hold ~10^5..10^6 events.
    x[i] = 127 - ((addr & 0x7f00) >>> 8);
    y[i] = 127 - ((addr & 0xfe) >>> 1);
    p[i] = 1 - (addr & 0x1);
  }
  return { count, x, y, p };
}
