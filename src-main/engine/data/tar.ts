/**
 * A small streaming tar reader (ustar, with the GNU long-name and pax path/size
 * extensions that tar tools write for long names), enough to pull the CIFAR
 * binary batches out of their distribution .tar.gz without extracting it.
 *
 * Format: a sequence of 512-byte header blocks, each followed by the member's
 * data padded to a multiple of 512; two zero blocks end the archive.
 */
import { DatasetError } from './errors';

const BLOCK = 512;

export interface TarMember {
  /** Path inside the archive as written by tar ('cifar-10-batches-bin/test_batch.bin'). */
  readonly name: string;
  readonly size: number;
  readonly data: Buffer;
}

/** A FIFO of byte chunks from which exact-length pieces can be taken. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Removes and returns up to `n` bytes as one or more pieces. */
  take(n: number): Buffer[] {
    const out: Buffer[] = [];
    while (n > 0 && this.chunks.length > 0) {
      const head = this.chunks[0];
      if (head.length <= n) {
        out.push(head);
        this.chunks.shift();
        n -= head.length;
        this.length -= head.length;
      } else {
        out.push(head.subarray(0, n));
        this.chunks[0] = head.subarray(n);
        this.length -= n;
        n = 0;
      }
    }
    return out;
  }
}

function readString(block: Buffer, off: number, len: number): string {
  const field = block.subarray(off, off + len);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? len : end).toString('utf8');
}

/** Octal ASCII (NUL/space terminated), or GNU base-256 when the top bit of the first byte is set. */
function readNumber(block: Buffer, off: number, len: number): number {
  const field = block.subarray(off, off + len);
  if (field[0] & 0x80) {
    let v = field[0] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + field[i];
    return v;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/g, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return parseInt(text, 8);
}

function headerChecksumOk(block: Buffer): boolean {
  const stored = readNumber(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b; // some old tars summed signed chars
  }
  return stored === unsigned || stored === signed;
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Parses pax extended header records "LEN key=value\n". */
function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += len;
  }
  return out;
}

/**
 * Yields the regular-file members whose name `want` accepts, with their data.
 * Other members are skipped without being kept. Stop iterating early (break)
 * to stop reading the archive. `label` names the archive in errors.
 */
export async function* readTarMembers(
  source: AsyncIterable<Buffer>,
  label: string,
  want: (name: string) => boolean,
): AsyncGenerator<TarMember> {
  const q = new ByteQueue();
  let offset = 0; // archive offset of the next unread byte, for error messages
  let zeroBlocks = 0;
  let ended = false;
  let longName: string | undefined; // from a GNU 'L' entry, applies to the next header
  let pax: Map<string, string> | undefined; // from a pax 'x' entry, applies to the next header

  // The member being read: its header facts and, if kept, its data pieces.
  let current: { name: string; size: number; type: string; keep: boolean } | undefined;
  let remaining = 0;
  let padding = 0;
  let pieces: Buffer[] = [];

  const takeBlock = (): Buffer => {
    const block = Buffer.concat(q.take(BLOCK), BLOCK);
    offset += BLOCK;
    return block;
  };

  for await (const chunk of source) {
    if (ended) continue; // ignore what follows the end-of-archive blocks
    q.push(chunk);
    for (;;) {
      if (!current) {
        if (q.length < BLOCK) break;
        const at = offset;
        const block = takeBlock();
        if (isZeroBlock(block)) {
          zeroBlocks++;
          if (zeroBlocks === 2) {
            ended = true;
            break;
          }
          continue;
        }
        zeroBlocks = 0;
        if (!headerChecksumOk(block)) {
          throw new DatasetError(
            label,
            at === 0
              ? 'corrupt tar archive: the first header block has a wrong checksum (not a tar file?)'
              : `corrupt tar archive: header checksum mismatch at offset ${at}`,
          );
        }
        let name = readString(block, 0, 100);
        if (block.toString('latin1', 257, 262) === 'ustar') {
          const prefix = readString(block, 345, 155);
          if (prefix) name = `${prefix}/${name}`;
        }
        let size = readNumber(block, 124, 12);
        if (!Number.isFinite(size)) {
          throw new DatasetError(
            label,
            `corrupt tar archive: unreadable size field in header at offset ${at}`,
          );
        }
        const type = String.fromCharCode(block[156] || 0x30); // NUL means regular file
        if (type !== 'L' && type !== 'x' && type !== 'g') {
          if (longName !== undefined) name = longName;
          if (pax?.has('path')) name = pax.get('path') as string;
          if (pax?.has('size')) size = Number(pax.get('size'));
          longName = undefined;
          pax = undefined;
        }
        const isFile = type === '0' || type === '7';
        const keep = type === 'L' || type === 'x' || (isFile && want(name));
        current = { name, size, type, keep };
        remaining = size;
        padding = (BLOCK - (size % BLOCK)) % BLOCK;
        pieces = [];
      }
      if (remaining > 0) {
        if (q.length === 0) break;
        const got = q.take(remaining);
        for (const p of got) {
          remaining -= p.length;
          offset += p.length;
          if (current.keep) pieces.push(p);
        }
        if (remaining > 0) break;
      }
      if (padding > 0) {
        const got = q.take(padding);
        for (const p of got) {
          padding -= p.length;
          offset += p.length;
        }
        if (padding > 0) break;
      }
      const done = current;
      current = undefined;
      if (!done.keep) continue;
      const data = Buffer.concat(pieces, done.size);
      pieces = [];
      if (done.type === 'L') longName = readString(data, 0, data.length);
      else if (done.type === 'x') pax = parsePax(data);
      else yield { name: done.name, size: done.size, data };
    }
  }
  if (current && remaining === 0) {
    throw new DatasetError(
      label,
      `truncated tar archive: the padding after member ${current.name} is missing`,
    );
  }
  if (current) {
    const got = current.size - remaining;
    throw new DatasetError(
      label,
      `truncated tar archive: member ${current.name} expected ${current.size} bytes, found ${got}`,
    );
  }
  if (!ended && q.length > 0) {
    throw new DatasetError(label, `truncated tar archive: ${q.length} stray bytes after offset ${offset}`);
  }
}
