/**
 * Cache-building progress is thinned at the source (image cache, DVS frame cache): the first
 * report, the last, and about one a second between, so ImageNet's 1.28 M images do not become
 * 1.28 M log lines.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { writeImageCache } from '../../src-main/engine/data/image-folder/image-cache';
import { PROGRESS_INTERVAL_MS, progressThrottle } from '../../src-main/engine/data/progress-throttle';

/** Reports 1..total with the clock at `times[done - 1]`; the `done` values that pass. */
function passed(total: number, times: readonly number[], intervalMs = 1000): number[] {
  let clock = 0;
  const gate = progressThrottle(intervalMs, () => clock);
  const out: number[] = [];
  for (let done = 1; done <= total; done++) {
    clock = times[done - 1];
    if (gate(done, total)) out.push(done);
  }
  return out;
}

describe('progressThrottle', () => {
  it('reports about once a second by default', () => {
    expect(PROGRESS_INTERVAL_MS).toBe(1000);
  });

  it('passes only the first and the last when everything happens within a second', () => {
    expect(
      passed(
        1000,
        Array.from({ length: 1000 }, (_, i) => i * 0.5),
      ),
    ).toEqual([1, 1000]);
  });

  it('passes one report per interval of the clock between the first and the last', () => {
    // One image every 100 ms for 10 000 images: 1 000 s, so one report a second plus the ends.
    const reports = passed(
      10_000,
      Array.from({ length: 10_000 }, (_, i) => i * 100),
    );
    expect(reports[0]).toBe(1);
    expect(reports.at(-1)).toBe(10_000);
    expect(reports.length).toBe(1001);
    expect(reports.slice(0, 4)).toEqual([1, 11, 21, 31]);
  });

  it('measures the interval from the last report it passed, not from the last call', () => {
    expect(passed(6, [0, 600, 1200, 1500, 2200, 2250])).toEqual([1, 3, 5, 6]);
  });

  it('passes a single report, which is both the first and the last', () => {
    expect(passed(1, [0])).toEqual([1]);
  });
});

describe('the image cache reports through the throttle', () => {
  it('hears of the first and the last image only when they come within a second', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glif-throttle-'));
    try {
      const entries = [];
      for (let i = 0; i < 6; i++) {
        const file = path.join(dir, `${i}.png`);
        await sharp({ create: { width: 12, height: 10, channels: 3, background: { r: i * 40, g: 0, b: 0 } } })
          .png()
          .toFile(file);
        entries.push({ file, label: i % 2 });
      }
      const heard: number[] = [];
      await writeImageCache(
        path.join(dir, 'cache.bin'),
        entries,
        8,
        Buffer.alloc(32),
        (done) => heard.push(done),
        progressThrottle(1000, () => 0),
      );
      expect(heard).toEqual([1, 6]);
      // The default gate also thins: the six small images decode within a second.
      const byDefault: number[] = [];
      await writeImageCache(path.join(dir, 'cache2.bin'), entries, 8, Buffer.alloc(32), (done) =>
        byDefault.push(done),
      );
      expect(byDefault[0]).toBe(1);
      expect(byDefault.at(-1)).toBe(6);
      expect(byDefault.length).toBeLessThan(6);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
