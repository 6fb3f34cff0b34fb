/**
 * Small CIFAR-10 / CIFAR-100 "binary version" folders and archives with seeded random records, in
 * the distribution's layout (cifar-10-batches-bin/data_batch_1.bin ...), for tests of the readers:
 * the real sets cannot be downloaded here.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Rng } from '../../src-main/engine/random';

const PIXELS = 3072;

function records(rng: Rng, count: number, labelBytes: 1 | 2, classes: number): Buffer {
  const record = labelBytes + PIXELS;
  const buf = Buffer.alloc(count * record);
  for (let i = 0; i < count; i++) {
    const at = i * record;
    if (labelBytes === 2) buf[at] = rng.int(20);
    buf[at + labelBytes - 1] = rng.int(classes);
    for (let p = 0; p < PIXELS; p++) buf[at + labelBytes + p] = rng.int(256);
  }
  return buf;
}

/** `<parent>/cifar-10-batches-bin/` with five train batches of `perBatch` records and a test batch. */
export function fakeCifar10(parent: string, perBatch: number, seed = 1): string {
  const rng = new Rng(seed);
  const dir = path.join(parent, 'cifar-10-batches-bin');
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= 5; i++)
    fs.writeFileSync(path.join(dir, `data_batch_${i}.bin`), records(rng, perBatch, 1, 10));
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), records(rng, perBatch, 1, 10));
  return dir;
}

/** `<parent>/cifar-100-binary.tar.gz` holding cifar-100-binary/{train,test}.bin; returns its path. */
export function fakeCifar100Archive(parent: string, count: number, seed = 2): string {
  const rng = new Rng(seed);
  const staging = path.join(parent, 'staging');
  const dir = path.join(staging, 'cifar-100-binary');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'train.bin'), records(rng, count, 2, 100));
  fs.writeFileSync(path.join(dir, 'test.bin'), records(rng, count, 2, 100));
  const archive = path.join(parent, 'cifar-100-binary.tar.gz');
  execFileSync('tar', ['czf', archive, '-C', staging, 'cifar-100-binary']);
  fs.rmSync(staging, { recursive: true, force: true });
  return archive;
}
