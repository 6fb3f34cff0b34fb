import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DvsProgress, listDvsSamples, openCifar10Dvs } from '../../src-main/engine/data/cifar10dvs';
import type { Batch, Dataset } from '../../src-main/engine/data/dataset';
import { resizeBilinearToHwc } from '../../src-main/engine/data/frames';
import { Rng } from '../../src-main/engine/random';
import {
  aedatBytes,
  collectBatches,
  type DvsEvent,
  DVS_CLASSES,
  expectDatasetError,
  makeTempDir,
  type TempDir,
  writeDvsDataset,
} from '../helpers/data-files';

let tmp: TempDir;
let opened: Dataset[] = [];
beforeEach(() => {
  tmp = makeTempDir('glif-dvs-');
  opened = [];
});
afterEach(async () => {
  for (const ds of opened) await ds.close();
  tmp.cleanup();
});

async function open(opts: Parameters<typeof openCifar10Dvs>[0]): Promise<Dataset> {
  const ds = await openCifar10Dvs(opts);
  opened.push(ds);
  return ds;
}

/** Expected [T, 128, 128, 2]-ordered counts computed straight from the events written. */
function expectedCounts(events: readonly DvsEvent[], T: number): Float32Array {
  const out = new Float32Array(T * 128 * 128 * 2);
  const di = Math.floor(events.length / T);
  events.forEach((e, i) => {
    const t = Math.min(Math.floor(i / Math.max(di, 1)), T - 1);
    const frame = di === 0 ? T - 1 : t;
    out[frame * 32768 + (e.y * 128 + e.x) * 2 + e.p] += 1;
  });
  return out;
}

/** Index of the first differing element, or -1 (cheaper than toEqual on 10^5 floats). */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

const PER_CLASS = [10, 3, 1, 2, 2, 2, 2, 2, 2, 12];

async function pass(
  ds: Dataset,
  split: 'train' | 'test',
  extra: Partial<{
    shuffle: boolean;
    augment: boolean;
    seed: number;
    batchSize: number;
    limit: number;
    dropLast: boolean;
  }> = {},
): Promise<Batch[]> {
  return collectBatches(
    ds.batches(split, {
      batchSize: extra.batchSize ?? 4,
      shuffle: extra.shuffle ?? false,
      augment: extra.augment ?? false,
      rng: new Rng(extra.seed ?? 0),
      limit: extra.limit,
      dropLast: extra.dropLast,
    }),
  );
}

describe('CIFAR10-DVS split', () => {
  it('takes the first ceil(0.9 n) files of each class in code-point name order for training', async () => {
    writeDvsDataset(tmp.dir, { perClass: PER_CLASS, eventsPerFile: 5 });
    const s = await listDvsSamples(tmp.dir);
    expect(s.train.length).toBe(9 + 3 + 1 + 2 * 6 + 11);
    expect(s.test.map((x) => x.relPath)).toEqual([
      'airplane/cifar10_airplane_9.aedat',
      'truck/cifar10_truck_9.aedat',
    ]);
    const trucks = s.train.filter((x) => x.label === 9).map((x) => x.relPath.split('_')[2]);
    expect(trucks).toEqual([
      '0.aedat',
      '1.aedat',
      '10.aedat',
      '11.aedat',
      '2.aedat',
      '3.aedat',
      '4.aedat',
      '5.aedat',
      '6.aedat',
      '7.aedat',
      '8.aedat',
    ]);
    // Classes follow each other in label order.
    expect(s.train.map((x) => x.label)).toEqual([...s.train.map((x) => x.label)].sort((a, b) => a - b));
  });
});

describe('CIFAR10-DVS dataset', () => {
  it('converts events to T frames (counts per pixel, 2 polarity channels) at full size', async () => {
    const files = writeDvsDataset(tmp.dir, {
      perClass: 2,
      eventsPerFile: (cls, i) => 37 + 3 * cls + i,
    });
    const T = 4;
    const ds = await open({ path: tmp.dir, timeSteps: T, size: 128, cacheDir: path.join(tmp.dir, 'cache') });
    expect(ds.info).toMatchObject({
      name: 'cifar10-dvs',
      kind: 'frames',
      inputShape: [128, 128, 2],
      timeSteps: 4,
      trainSize: 20,
      testSize: 0,
    });
    const batches = await pass(ds, 'train', { batchSize: 3 });
    expect(batches[0].shape).toEqual([3, 4, 128, 128, 2]);
    const samples = await listDvsSamples(tmp.dir);
    for (const b of batches) {
      for (let k = 0; k < b.n; k++) {
        const s = samples.train[b.indices[k]];
        expect(b.y[k]).toBe(s.label);
        const ev = files.events.get(s.relPath) as DvsEvent[];
        const got = b.x.subarray(k * T * 32768, (k + 1) * T * 32768);
        expect(firstDifference(got, expectedCounts(ev, T))).toBe(-1);
        // Event counts per frame: floor(N/T) in frames 0..T-2, the rest in the last.
        const di = Math.floor(ev.length / T);
        const perFrame = Array.from({ length: T }, (_, t) =>
          got.subarray(t * 32768, (t + 1) * 32768).reduce((a, v) => a + v, 0),
        );
        expect(perFrame).toEqual([di, di, di, ev.length - 3 * di]);
        let ch1 = 0;
        for (let i = 1; i < got.length; i += 2) ch1 += got[i];
        expect(ch1).toBe(ev.filter((e) => e.p === 1).length);
      }
    }
  });

  it('resizes frames to 48x48 with torch bilinear and splits 90/10', async () => {
    const files = writeDvsDataset(tmp.dir, { perClass: PER_CLASS, eventsPerFile: 40 });
    const T = 3;
    const ds = await open({ path: tmp.dir, timeSteps: T });
    expect(ds.info.inputShape).toEqual([48, 48, 2]);
    expect([ds.info.trainSize, ds.info.testSize]).toEqual([36, 2]);
    const [b] = await pass(ds, 'test', { batchSize: 8 });
    expect(b.shape).toEqual([2, T, 48, 48, 2]);
    expect([...b.y]).toEqual([0, 9]);
    const ev = files.events.get('truck/cifar10_truck_9.aedat') as DvsEvent[];
    const counts = expectedCounts(ev, T);
    // counts are [T,128,128,2]; resize expects planar per frame.
    const want = new Float32Array(T * 48 * 48 * 2);
    for (let t = 0; t < T; t++) {
      const planar = new Float32Array(2 * 16384);
      for (let i = 0; i < 16384; i++)
        for (let c = 0; c < 2; c++) planar[c * 16384 + i] = counts[t * 32768 + i * 2 + c];
      resizeBilinearToHwc(planar, 0, 2, 128, 128, 48, 48, want, t * 4608);
    }
    expect(firstDifference(b.x.subarray(T * 4608), want)).toBe(-1);
    expect(want.some((v) => v > 0 && !Number.isInteger(v))).toBe(true); // really interpolated
    // Default cache folder next to the data.
    expect(fs.readdirSync(path.join(tmp.dir, 'glif-frames-cache')).sort()).toEqual([
      'cifar10dvs-T3-48px-test.bin',
      'cifar10dvs-T3-48px-train.bin',
    ]);
  });

  it('reuses the cache: the second open does not read the aedat files', async () => {
    writeDvsDataset(tmp.dir, { perClass: 3, eventsPerFile: 30 });
    const cacheDir = path.join(tmp.dir, 'cache');
    const first: DvsProgress[] = [];
    const a = await open({ path: tmp.dir, timeSteps: 2, cacheDir, onProgress: (p) => first.push(p) });
    const converted = first.filter((p) => p.phase === 'convert');
    // Thinned to about one report a second (progressThrottle): always the first and the last.
    const dones = converted.filter((p) => p.split === 'train').map((p) => p.done);
    expect(dones[0]).toBe(1);
    expect(dones.at(-1)).toBe(30);
    expect(dones.length).toBeLessThan(30);
    expect(converted[0].reason).toBe('no cache yet');
    expect(converted.slice(1).every((p) => p.reason === undefined)).toBe(true);
    const before = await pass(a, 'train', { batchSize: 30 });

    // Same names and sizes, garbage content: only a re-read would notice.
    for (const cls of DVS_CLASSES) {
      for (const f of fs.readdirSync(path.join(tmp.dir, cls))) {
        const p = path.join(tmp.dir, cls, f);
        fs.writeFileSync(p, Buffer.alloc(fs.statSync(p).size, 0xff));
      }
    }
    const second: DvsProgress[] = [];
    const b = await open({ path: tmp.dir, timeSteps: 2, cacheDir, onProgress: (p) => second.push(p) });
    expect(second.map((p) => p.phase)).toEqual(['cached', 'cached']);
    const after = await pass(b, 'train', { batchSize: 30 });
    expect(firstDifference(after[0].x, before[0].x)).toBe(-1);
    expect(after[0].y).toEqual(before[0].y);
  });

  it('rebuilds a stale or corrupt cache', async () => {
    writeDvsDataset(tmp.dir, { perClass: 2, eventsPerFile: 20 });
    const cacheDir = path.join(tmp.dir, 'cache');
    await open({ path: tmp.dir, timeSteps: 2, cacheDir });
    const trainCache = path.join(cacheDir, 'cifar10dvs-T2-48px-train.bin');
    const reasons = async (): Promise<string[]> => {
      const ps: DvsProgress[] = [];
      await open({ path: tmp.dir, timeSteps: 2, cacheDir, onProgress: (p) => ps.push(p) });
      return ps.filter((p) => p.reason).map((p) => `${p.split}: ${p.reason}`);
    };
    fs.truncateSync(trainCache, fs.statSync(trainCache).size - 10);
    expect(await reasons()).toEqual([
      expect.stringMatching(/^train: size \d+ bytes, expected \d+ \(incomplete or corrupt\)/),
    ]);
    const buf = fs.readFileSync(trainCache);
    buf[0] = 0x58;
    fs.writeFileSync(trainCache, buf);
    expect(await reasons()).toEqual(['train: not a frame cache file']);
    // A new source file changes the fingerprint.
    fs.writeFileSync(
      path.join(tmp.dir, 'cat', 'cifar10_cat_7.aedat'),
      aedatBytes([{ x: 1, y: 1, p: 1, t: 1 }]),
    );
    // cat now has 3 files, all training samples (ceil(2.7) = 3): only the train cache is stale.
    expect(await reasons()).toEqual(['train: made from other files or settings']);
    expect(await reasons()).toEqual([]);
  });

  it('train augmentation: one zero-padded crop per sample shared by all frames, no flip', async () => {
    writeDvsDataset(tmp.dir, { perClass: 2, eventsPerFile: 400 });
    const ds = await open({ path: tmp.dir, timeSteps: 2, cacheDir: path.join(tmp.dir, 'c') });
    const [plain] = await pass(ds, 'train', { batchSize: 5 });
    for (const seed of [1, 2, 3]) {
      const [aug] = await pass(ds, 'train', { batchSize: 5, augment: true, seed });
      const replay = new Rng(seed);
      for (let k = 0; k < 5; k++) {
        const top = replay.int(9);
        const left = replay.int(9);
        for (let t = 0; t < 2; t++) {
          for (const [r, q] of [
            [0, 0],
            [3, 47],
            [20, 20],
            [47, 5],
            [44, 44],
          ]) {
            for (let c = 0; c < 2; c++) {
              const sr = r + top - 4;
              const sq = q + left - 4;
              const inside = sr >= 0 && sr < 48 && sq >= 0 && sq < 48;
              const off = k * 9216 + t * 4608;
              const want = inside ? plain.x[off + (sr * 48 + sq) * 2 + c] : 0;
              expect(aug.x[off + (r * 48 + q) * 2 + c]).toBe(want);
            }
          }
        }
      }
    }
  });

  it('shuffle covers the split once, deterministically; limit and dropLast work', async () => {
    writeDvsDataset(tmp.dir, { perClass: 2, eventsPerFile: 10 });
    const ds = await open({ path: tmp.dir, timeSteps: 2, cacheDir: path.join(tmp.dir, 'c') });
    const order = (bs: Batch[]) => bs.flatMap((b) => [...b.indices]);
    const a = order(await pass(ds, 'train', { shuffle: true, seed: 4, batchSize: 6 }));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(order(await pass(ds, 'train', { shuffle: true, seed: 4, batchSize: 6 }))).toEqual(a);
    expect(order(await pass(ds, 'train', { shuffle: true, seed: 5, batchSize: 6 }))).not.toEqual(a);
    expect((await pass(ds, 'train', { batchSize: 6, dropLast: true })).map((b) => b.n)).toEqual([6, 6, 6]);
    expect(order(await pass(ds, 'train', { batchSize: 6, limit: 7 }))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('keeps the event loop responsive while converting', async () => {
    writeDvsDataset(tmp.dir, { perClass: 3, eventsPerFile: 2000 });
    let ticks = 0;
    let running = true;
    const spin = (): void => {
      ticks++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    const ticksAt: number[] = [];
    await open({
      path: tmp.dir,
      timeSteps: 4,
      cacheDir: path.join(tmp.dir, 'c'),
      onProgress: (p) => {
        if (p.phase === 'convert' && p.split === 'train') ticksAt.push(ticks);
      },
    });
    running = false;
    // Reports are thinned (the first file and the last at least), but the spinner ran between
    // every two files: at least once for each of the 29 files after the first.
    expect(ticksAt.length).toBeGreaterThanOrEqual(2);
    expect(ticksAt.at(-1)! - ticksAt[0]).toBeGreaterThanOrEqual(29);
  });
});

describe('CIFAR10-DVS errors name the file and the problem', () => {
  it('unparsable aedat file', async () => {
    writeDvsDataset(tmp.dir, { perClass: 2, eventsPerFile: 5 });
    const bad = path.join(tmp.dir, 'dog', 'cifar10_dog_1.aedat');
    fs.appendFileSync(bad, Buffer.from([1, 2, 3]));
    await expectDatasetError(
      open({ path: tmp.dir, timeSteps: 2, cacheDir: path.join(tmp.dir, 'c') }),
      bad,
      /unparsable AEDAT data: 43 bytes .* not a whole number of 8-byte events/,
    );
    // The failed conversion leaves no cache file behind, only the folder.
    expect(fs.readdirSync(path.join(tmp.dir, 'c'))).toEqual([]);
  });

  it('missing or empty class folder, missing root', async () => {
    writeDvsDataset(tmp.dir, { perClass: 1, eventsPerFile: 5 });
    fs.rmSync(path.join(tmp.dir, 'frog'), { recursive: true });
    const err = await expectDatasetError(
      open({ path: tmp.dir, timeSteps: 2 }),
      path.join(tmp.dir, 'frog'),
      /missing class folder frog: expected the ten folders airplane, automobile/,
    );
    expect(err.problem).toContain(tmp.dir);
    fs.mkdirSync(path.join(tmp.dir, 'frog'));
    await expectDatasetError(
      open({ path: tmp.dir, timeSteps: 2 }),
      path.join(tmp.dir, 'frog'),
      /has no \.aedat files/,
    );
    const nowhere = path.join(tmp.dir, 'nowhere');
    await expectDatasetError(open({ path: nowhere, timeSteps: 2 }), nowhere, /CIFAR10-DVS folder not found/);
  });

  it('finds the class folders under extract/ (SpikingJelly layout)', async () => {
    writeDvsDataset(path.join(tmp.dir, 'extract'), { perClass: 1, eventsPerFile: 5 });
    const ds = await open({ path: tmp.dir, timeSteps: 1, cacheDir: path.join(tmp.dir, 'c') });
    expect(ds.info.source).toBe(path.join(tmp.dir, 'extract'));
    expect(ds.info.trainSize).toBe(10);
  });
});
