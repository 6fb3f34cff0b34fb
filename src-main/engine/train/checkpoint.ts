import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { RngState } from '../random';
import { faultPoint } from './fault-injection';

/**
 * A checkpoint holds everything needed to continue a run exactly: weights, buffers (tdBN
 * running statistics), optimiser momentum, the RNG state and the position in the run.
 *
 * File layout: the magic line `GLIFCKPT1\n`, a 4-byte little-endian header length, a JSON
 * header (position, RNG state, and per tensor its kind, path, shape and offset), then the
 * float32 data of every tensor back to back. Written to a temporary file, fsynced and renamed,
 * so a crash never leaves a half-written checkpoint under the final name.
 */
const MAGIC = 'GLIFCKPT1\n';

export type CheckpointTensorKind = 'param' | 'buffer' | 'momentum';

interface TensorEntry {
  readonly kind: CheckpointTensorKind;
  readonly path: string;
  readonly shape: number[];
  readonly offset: number;
  readonly length: number;
}

interface Header {
  readonly version: 1;
  readonly epoch: number;
  readonly step: number;
  readonly optimizerSteps: number;
  readonly rng: RngState;
  readonly tensors: TensorEntry[];
  /** Run metadata that helps a human; not needed to resume. */
  readonly meta: Record<string, unknown>;
}

export interface CheckpointContents {
  /** The epoch (0-based) completed when the checkpoint was taken. */
  readonly epoch: number;
  /** Global steps done. */
  readonly step: number;
  readonly optimizerSteps: number;
  readonly rng: RngState;
  readonly tensors: ReadonlyArray<{ kind: CheckpointTensorKind; path: string; tensor: tf.Tensor }>;
  readonly meta: Record<string, unknown>;
}

export interface WrittenCheckpoint {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

export class CheckpointError extends Error {
  constructor(file: string, problem: string) {
    super(`checkpoint ${file}: ${problem}`);
    this.name = 'CheckpointError';
  }
}

export async function writeCheckpoint(file: string, c: CheckpointContents): Promise<WrittenCheckpoint> {
  const entries: TensorEntry[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const t of c.tensors) {
    const data = (await t.tensor.data()) as Float32Array;
    entries.push({ kind: t.kind, path: t.path, shape: t.tensor.shape, offset, length: data.length });
    chunks.push(data);
    offset += data.length;
  }
  const header: Header = {
    version: 1,
    epoch: c.epoch,
    step: c.step,
    optimizerSteps: c.optimizerSteps,
    rng: c.rng,
    tensors: entries,
    meta: c.meta,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(headerBytes.length);
  const parts = [
    Buffer.from(MAGIC, 'latin1'),
    len,
    headerBytes,
    ...chunks.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength)),
  ];
  const hash = createHash('sha256');
  let bytes = 0;
  for (const p of parts) {
    hash.update(p);
    bytes += p.length;
  }
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await open(tmp, 'w');
  try {
    for (const p of parts) await fh.write(p);
    await fh.sync();
  } finally {
    await fh.close();
  }
  faultPoint('checkpoint-write');
  await rename(tmp, file);
  faultPoint('checkpoint-renamed');
  return { path: file, sha256: hash.digest('hex'), bytes };
}

export async function sha256File(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

/** Reads a checkpoint; the caller owns (and disposes) the returned tensors. */
export async function readCheckpoint(file: string, expectedSha256?: string): Promise<CheckpointContents> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CheckpointError(
      file,
      code === 'ENOENT'
        ? 'file not found (moved or deleted since it was recorded)'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : `cannot be read (${code ?? (err as Error).message})`,
    );
  }
  if (expectedSha256) {
    const actual = createHash('sha256').update(buf).digest('hex');
    if (actual !== expectedSha256)
      throw new CheckpointError(file, `sha256 ${actual} does not match the recorded ${expectedSha256}`);
  }
  if (buf.length === 0) throw new CheckpointError(file, 'empty file (0 bytes)');
  const start = buf.subarray(0, MAGIC.length).toString('latin1');
  if (buf.length < MAGIC.length && MAGIC.startsWith(start))
    throw new CheckpointError(
      file,
      `truncated header: the file ends at byte ${buf.length}, inside the magic line`,
    );
  if (start !== MAGIC)
    throw new CheckpointError(
      file,
      `not a GLIF checkpoint (bad magic: expected "GLIFCKPT1", found bytes ${hexStart(buf)})`,
    );
  if (buf.length < MAGIC.length + 4)
    throw new CheckpointError(
      file,
      `truncated header: the file ends at byte ${buf.length}, inside the header length`,
    );
  const headerLength = buf.readUInt32LE(MAGIC.length);
  const dataStart = MAGIC.length + 4 + headerLength;
  if (dataStart > buf.length)
    throw new CheckpointError(
      file,
      `truncated header: it declares ${headerLength} bytes, but the file ends at byte ${buf.length}`,
    );
  const header = parseHeader(file, buf.subarray(MAGIC.length + 4, dataStart).toString('utf8'));
  // Whole floats only: a file cut inside one must say "truncated", not fail to make the view.
  const dataBytes = (buf.length - dataStart) & ~3;
  const floats = new Float32Array(
    buf.buffer.slice(buf.byteOffset + dataStart, buf.byteOffset + dataStart + dataBytes),
  );
  const tensors = header.tensors.map((e) => {
    if (e.offset + e.length > floats.length) throw new CheckpointError(file, `truncated data for ${e.path}`);
    return {
      kind: e.kind,
      path: e.path,
      tensor: tf.tensor(floats.subarray(e.offset, e.offset + e.length), e.shape),
    };
  });
  return {
    epoch: header.epoch,
    step: header.step,
    optimizerSteps: header.optimizerSteps,
    rng: header.rng,
    tensors,
    meta: header.meta,
  };
}

/** The first bytes of a file in hex, for a message about what it starts with. */
function hexStart(buf: Buffer): string {
  const shown = buf.subarray(0, 8);
  const hex = [...shown].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return buf.length > shown.length ? `${hex} …` : hex;
}

const KINDS: readonly CheckpointTensorKind[] = ['param', 'buffer', 'momentum'];
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * The header, checked before anything is built from it: a damaged or foreign file must fail
 * with a CheckpointError naming the file and the problem, not with a parser's SyntaxError or
 * a TypeError from deep inside the restore.
 */
function parseHeader(file: string, text: string): Header {
  let h: unknown;
  try {
    h = JSON.parse(text);
  } catch {
    throw new CheckpointError(file, 'damaged header (not valid JSON)');
  }
  const bad = (what: string) => new CheckpointError(file, `damaged header: ${what}`);
  if (!isRecord(h)) throw bad('not a JSON object');
  if (h.version !== 1) throw new CheckpointError(file, `unsupported version ${JSON.stringify(h.version)}`);
  for (const key of ['epoch', 'step', 'optimizerSteps'] as const)
    if (!isCount(h[key])) throw bad(`${key} is not a count`);
  const rng = h.rng;
  if (!isRecord(rng) || !Array.isArray(rng.s) || rng.s.length !== 4 || !rng.s.every(isCount))
    throw bad('rng is not a generator state');
  if (!Array.isArray(h.tensors)) throw bad('tensors is not a list');
  h.tensors.forEach((e: unknown, i) => {
    if (!isRecord(e) || typeof e.path !== 'string' || !KINDS.includes(e.kind as CheckpointTensorKind))
      throw bad(`tensor ${i} has no kind or path`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every(isCount) || !isCount(e.offset) || !isCount(e.length))
      throw bad(`tensor ${e.path} has no shape, offset or length`);
    if (shape.reduce((a: number, b: number) => a * b, 1) !== e.length)
      throw bad(`tensor ${e.path} has shape [${shape.join(', ')}] but ${e.length} values`);
  });
  if (h.meta !== undefined && !isRecord(h.meta)) throw bad('meta is not an object');
  return { ...(h as unknown as Header), meta: isRecord(h.meta) ? h.meta : {} };
}
