/**
 * The real Fashion-MNIST files of the Debian package dataset-fashion-mnist
 * (/usr/share/datasets/fashion-mnist), read through the IDX loader.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FASHION_MNIST_DIR } from '../../src-main/engine/data/idx';
import { openDataset } from '../../src-main/engine/data/registry';
import { Rng } from '../../src-main/engine/random';

describe('Fashion-MNIST (real files)', () => {
  it('has 60000/10000 28x28 images, labels 0..9 balanced, mean pixel 0.286', async () => {
    const started = Date.now();
    // A timer that must keep firing while the 30 MB of gzip are read.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const ds = await openDataset({ kind: 'fashion-mnist' });
    clearInterval(timer);
    expect(ds.info.source).toBe(DEFAULT_FASHION_MNIST_DIR);
    expect(ds.info).toMatchObject({
      kind: 'static',
      inputShape: [28, 28, 1],
      numClasses: 10,
      trainSize: 60000,
      testSize: 10000,
    });
    expect(ticks).toBeGreaterThan(0);

    for (const [split, size] of [
      ['train', 60000],
      ['test', 10000],
    ] as const) {
      let n = 0;
      let sum = 0;
      let sumSq = 0;
      let min = Infinity;
      let max = -Infinity;
      const perClass = new Array<number>(10).fill(0);
      for await (const b of ds.batches(split, {
        batchSize: 1000,
        shuffle: false,
        augment: false,
        rng: new Rng(0),
      })) {
        expect(b.shape).toEqual([b.n, 28, 28, 1]);
        n += b.n;
        for (let i = 0; i < b.n; i++) perClass[b.y[i]]++;
        for (let i = 0; i < b.x.length; i++) {
          const v = b.x[i];
          sum += v;
          sumSq += v * v;
          if (v < min) min = v;
          if (v > max) max = v;
        }
      }
      expect(n).toBe(size);
      expect(perClass).toEqual(new Array(10).fill(size / 10));
      const mean = sum / (size * 784);
      expect(min).toBe(0);
      expect(max).toBe(1);
      if (split === 'train') {
        // The reference's Normalize constants (0.2860, 0.3530) are these training statistics.
        expect(mean).toBeCloseTo(0.286, 3);
        expect(Math.sqrt(sumSq / (size * 784) - mean * mean)).toBeCloseTo(0.353, 3);
      } else {
        expect(mean).toBeGreaterThan(0.28);
        expect(mean).toBeLessThan(0.29);
      }
    }
    // First training label of Fashion-MNIST is 9 (Ankle boot), second 0 (T-shirt/top).
    const pass = ds.batches('train', {
      batchSize: 2,
      shuffle: false,
      augment: false,
      rng: new Rng(0),
      limit: 2,
    });
    const first = await pass[Symbol.asyncIterator]().next();
    expect(first.done).toBe(false);
    if (!first.done) expect([...first.value.y]).toEqual([9, 0]);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
