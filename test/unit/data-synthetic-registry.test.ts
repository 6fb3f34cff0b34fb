import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Batch, Dataset } from '../../src-main/engine/data/dataset';
import { sampleLength } from '../../src-main/engine/data/dataset';
import { openDataset } from '../../src-main/engine/data/registry';
import { openSynthetic } from '../../src-main/engine/data/synthetic';
import { Rng } from '../../src-main/engine/random';
import {
  collectBatches,
  makeCifarFiles,
  makeTempDir,
  writeCifarArchive,
  writeCifarDir,
  writeDvsDataset,
  writeIdxDataset,
} from '../helpers/data-files';

async function all(
  ds: Dataset,
  split: 'train' | 'test',
  batchSize: number,
  shuffle = false,
  seed = 0,
): Promise<Batch[]> {
  return collectBatches(ds.batches(split, { batchSize, shuffle, augment: false, rng: new Rng(seed) }));
}

/** Sample values by split index, whatever batch they arrived in. */
function bySample(batches: Batch[], len: number): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const b of batches)
    b.indices.forEach((i, k) => m.set(i, [b.y[k], ...b.x.subarray(k * len, (k + 1) * len)]));
  return m;
}

describe('synthetic dataset', () => {
  it('is deterministic per seed and per sample, whatever the batching or order', async () => {
    const a = openSynthetic({ seed: 3, trainSize: 40, testSize: 10, height: 8, width: 8 });
    const b = openSynthetic({ seed: 3, trainSize: 40, testSize: 10, height: 8, width: 8 });
    const c = openSynthetic({ seed: 4, trainSize: 40, testSize: 10, height: 8, width: 8 });
    expect(a.info).toMatchObject({
      kind: 'static',
      inputShape: [8, 8, 1],
      numClasses: 10,
      trainSize: 40,
      testSize: 10,
    });
    const len = sampleLength(a.info);
    const sa = bySample(await all(a, 'train', 7), len);
    const sb = bySample(await all(b, 'train', 5, true, 9), len);
    expect(sb).toEqual(sa);
    expect(bySample(await all(c, 'train', 7), len)).not.toEqual(sa);
    const test = bySample(await all(a, 'test', 10), len);
    expect(test.get(0)).not.toEqual(sa.get(0)); // splits differ
    for (const v of sa.values()) {
      expect(v[0]).toBeGreaterThanOrEqual(0);
      expect(v[0]).toBeLessThan(10);
      expect(v.slice(1).every((p) => p >= 0 && p <= 1)).toBe(true);
    }
  });

  it('is learnable: a nearest-class-mean classifier beats 90% on the test split', async () => {
    const ds = openSynthetic({ seed: 1, trainSize: 500, testSize: 200, height: 12, width: 12 });
    const len = sampleLength(ds.info);
    const sums = Array.from({ length: 10 }, () => new Float64Array(len));
    const counts = new Array<number>(10).fill(0);
    for (const b of await all(ds, 'train', 64)) {
      for (let k = 0; k < b.n; k++) {
        counts[b.y[k]]++;
        for (let i = 0; i < len; i++) sums[b.y[k]][i] += b.x[k * len + i];
      }
    }
    let correct = 0;
    for (const b of await all(ds, 'test', 64)) {
      for (let k = 0; k < b.n; k++) {
        let best = -1;
        let bestD = Infinity;
        for (let c = 0; c < 10; c++) {
          let d = 0;
          for (let i = 0; i < len; i++) d += (b.x[k * len + i] - sums[c][i] / Math.max(counts[c], 1)) ** 2;
          if (d < bestD) [best, bestD] = [c, d];
        }
        if (best === b.y[k]) correct++;
      }
    }
    expect(correct / 200).toBeGreaterThan(0.9);
  });

  it('frames variant: [n, T, h, w, c] of 0/1 values', async () => {
    const ds = openSynthetic({ seed: 2, timeSteps: 3, height: 6, width: 5, trainSize: 8, testSize: 2 });
    expect(ds.info).toMatchObject({ kind: 'frames', timeSteps: 3, inputShape: [6, 5, 2] });
    const [b] = await all(ds, 'train', 8);
    expect(b.shape).toEqual([8, 3, 6, 5, 2]);
    expect(b.x.length).toBe(8 * sampleLength(ds.info));
    expect(b.x.every((v) => v === 0 || v === 1)).toBe(true);
    expect(b.x.some((v) => v === 1)).toBe(true);
  });

  it('rejects bad sizes', () => {
    expect(() => openSynthetic({ height: 0 })).toThrow(/height/);
    expect(() => openSynthetic({ trainSize: -1 })).toThrow(/trainSize/);
  });
});

describe('openDataset', () => {
  it('opens every kind from its spec', async () => {
    const tmp = makeTempDir();
    try {
      const idxDir = path.join(tmp.dir, 'fm');
      writeIdxDataset(idxDir, { gzip: true, train: 11, test: 3 });
      const fm = await openDataset({ kind: 'fashion-mnist', dir: idxDir });
      expect([fm.info.name, fm.info.trainSize, fm.info.testSize]).toEqual(['fashion-mnist', 11, 3]);
      const mn = await openDataset({ kind: 'mnist', dir: idxDir, normalize: true });
      expect(mn.info.normalization?.mean).toEqual([0.1307]);

      const c10 = path.join(tmp.dir, 'c10');
      writeCifarDir(c10, makeCifarFiles('cifar10'));
      expect((await openDataset({ kind: 'cifar10', path: c10 })).info.numClasses).toBe(10);
      const c100 = path.join(tmp.dir, 'cifar-100-binary.tar.gz');
      writeCifarArchive(c100, makeCifarFiles('cifar100'));
      expect((await openDataset({ kind: 'cifar100', path: c100 })).info.numClasses).toBe(100);

      const dvs = path.join(tmp.dir, 'dvs');
      writeDvsDataset(dvs, { perClass: 1, eventsPerFile: 4 });
      const phases: string[] = [];
      const d = await openDataset(
        { kind: 'cifar10-dvs', path: dvs, timeSteps: 2, cacheDir: path.join(tmp.dir, 'cache') },
        { onProgress: (p) => phases.push(p.phase) },
      );
      expect(d.info).toMatchObject({ kind: 'frames', timeSteps: 2, inputShape: [48, 48, 2], trainSize: 10 });
      // Per-file reports are thinned to the first, the last and about one a second.
      expect(phases.filter((p) => p === 'convert').length).toBeGreaterThanOrEqual(2);
      expect(phases.filter((p) => p === 'done').length).toBe(2);
      await d.close();
      await d.close(); // idempotent

      const s = await openDataset({ kind: 'synthetic', seed: 1, trainSize: 5, testSize: 5 });
      expect(s.info.name).toBe('synthetic');
    } finally {
      tmp.cleanup();
    }
  });
});
