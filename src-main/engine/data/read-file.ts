/**
 * Reading dataset files asynchronously, in chunks, with gzip detected by its
 * magic bytes (1f 8b) rather than by the file name.
 */
import { createReadStream } from 'node:fs';
import * as fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DatasetError } from './errors';

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const CHUNK_BYTES = 1 << 20;

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  return `cannot read (${err instanceof Error ? err.message : String(err)})`;
}

/** Throws a DatasetError naming the file when it cannot be opened or read. */
export function fsError(file: string, err: unknown): DatasetError {
  return new DatasetError(file, describeFsError(err));
}

/** Whether the file starts with the gzip magic bytes. */
export async function isGzipFile(file: string): Promise<boolean> {
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(file, 'r');
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
  } catch (err) {
    throw fsError(file, err);
  } finally {
    await fh?.close();
  }
}

/**
 * The file's content as a stream of chunks, gunzipped when it is gzip data.
 * Read and decompression errors surface while iterating, as DatasetErrors.
 */
export async function openContentStream(file: string): Promise<AsyncIterable<Buffer>> {
  const gz = await isGzipFile(file);
  const raw = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const stream: Readable = gz ? raw.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : raw;
  if (gz) {
    // pipe() does not forward source errors; make them end the gunzip stream.
    raw.on('error', (err) => stream.destroy(err));
  }
  return wrapErrors(stream, file, gz);
}

async function* wrapErrors(stream: Readable, file: string, gz: boolean): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    const zlibCode = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
    if (gz && zlibCode.startsWith('Z_')) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new DatasetError(file, `corrupt or truncated gzip data (${msg})`);
    }
    throw fsError(file, err);
  } finally {
    stream.destroy();
  }
}

/** The whole (gunzipped) content of a file, read in chunks without blocking. */
export async function readContent(file: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of await openContentStream(file)) {
    parts.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(parts, total);
}

export async function statOrNull(p: string): Promise<import('node:fs').Stats | null> {
  try {
    return await fsp.stat(p);
  } catch {
    return null;
  }
}
