import { describe, expect, it } from 'vitest';
import { aedatHeaderLength, decodeAddress, parseAedat } from '../../src-main/engine/data/aedat';
import { DatasetError } from '../../src-main/engine/data/errors';
import { bilinearAxis, integrateByNumber, resizeBilinearToHwc } from '../../src-main/engine/data/frames';
import { AEDAT_HEADER, aedatBytes, dvsAddress } from '../helpers/data-files';

describe('AEDAT decoding (SpikingJelly CIFAR10DVS bit layout)', () => {
  it('decodes a hand-computed address', () => {
    // 0x1A05: bit0 = 1 -> p = 0; (0x05 & 0xFE) >> 1 = 2 -> y = 127 - 2; (0x1A00 & 0x7F00) >> 8 = 26 -> x = 127 - 26.
    expect(decodeAddress(0x00001a05)).toEqual({ x: 101, y: 125, p: 0 });
    expect(decodeAddress(0x00000000)).toEqual({ x: 127, y: 127, p: 1 });
    expect(decodeAddress(0x00007ffe)).toEqual({ x: 0, y: 0, p: 1 });
    // Bits outside the masks (event type, bit 15, valid flag) are ignored.
    expect(decodeAddress(0x80008000 | 0x1a05)).toEqual({ x: 101, y: 125, p: 0 });
    expect(dvsAddress({ x: 101, y: 125, p: 0 })).toBe(0x1a05);
  });

  it('skips the # header lines and reads big-endian address/timestamp pairs', () => {
    const buf = aedatBytes([
      { x: 101, y: 125, p: 0, t: 5 },
      { x: 0, y: 3, p: 1, t: 9 },
    ]);
    expect(aedatHeaderLength(buf)).toBe(Buffer.byteLength(AEDAT_HEADER));
    expect(buf.readUInt32BE(aedatHeaderLength(buf))).toBe(0x1a05);
    const ev = parseAedat(buf, 'a.aedat');
    expect(ev.count).toBe(2);
    expect([...ev.x]).toEqual([101, 0]);
    expect([...ev.y]).toEqual([125, 3]);
    expect([...ev.p]).toEqual([0, 1]);
  });

  it('rejects unparsable files, naming the file and the problem', () => {
    const good = aedatBytes([{ x: 1, y: 2, p: 1, t: 0 }]);
    const odd = Buffer.concat([good, Buffer.from([1, 2, 3])]);
    let err: unknown;
    try {
      parseAedat(odd, '/d/cat/x.aedat');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatasetError);
    expect((err as DatasetError).file).toBe('/d/cat/x.aedat');
    expect((err as DatasetError).message).toMatch(
      /^\/d\/cat\/x\.aedat: unparsable AEDAT data: 11 bytes after the \d+-byte header is not a whole number of 8-byte events/,
    );
    expect(() => parseAedat(Buffer.from([0, 0, 0, 1, 0, 0, 0, 2]), 'y.aedat')).toThrow(
      /y\.aedat: unparsable AEDAT file: it does not start with a '#' header line/,
    );
  });
});

describe('frames: split_by number', () => {
  const events = (n: number, p: (i: number) => number) => ({
    count: n,
    x: Uint8Array.from({ length: n }, (_, i) => i % 4),
    y: Uint8Array.from({ length: n }, (_, i) => Math.floor(i / 4) % 3),
    p: Uint8Array.from({ length: n }, (_, i) => p(i)),
  });

  it('puts floor(N/T) events in each frame and the remainder in the last', () => {
    const f = integrateByNumber(
      events(10, () => 0),
      3,
      3,
      4,
    );
    const frameSum = (t: number, c: number) =>
      f.subarray(t * 24 + c * 12, t * 24 + c * 12 + 12).reduce((a, b) => a + b, 0);
    expect([frameSum(0, 0), frameSum(1, 0), frameSum(2, 0)]).toEqual([3, 3, 4]);
    expect([frameSum(0, 1), frameSum(1, 1), frameSum(2, 1)]).toEqual([0, 0, 0]);
    // Event i sits at (row floor(i/4) % 3, column i % 4): frame 0 has events 0, 1, 2.
    expect([...f.subarray(0, 4)]).toEqual([1, 1, 1, 0]);
  });

  it('routes polarity p to channel p and counts repeated pixels', () => {
    const ev = {
      count: 6,
      x: Uint8Array.of(1, 1, 1, 2, 2, 3),
      y: Uint8Array.of(0, 0, 0, 1, 1, 2),
      p: Uint8Array.of(0, 1, 0, 1, 1, 0),
    };
    const f = integrateByNumber(ev, 1, 3, 4);
    expect(f[0 * 12 + 0 * 4 + 1]).toBe(2); // channel 0, row 0, col 1
    expect(f[1 * 12 + 0 * 4 + 1]).toBe(1); // channel 1, row 0, col 1
    expect(f[1 * 12 + 1 * 4 + 2]).toBe(2);
    expect(f[0 * 12 + 2 * 4 + 3]).toBe(1);
    expect(f.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('with fewer events than frames, every event lands in the last frame', () => {
    const f = integrateByNumber(
      events(2, (i) => i % 2),
      4,
      3,
      4,
    );
    expect(f.subarray(0, 3 * 24).every((v) => v === 0)).toBe(true);
    expect(f.subarray(3 * 24).reduce((a, b) => a + b, 0)).toBe(2);
  });
});

describe('bilinear resize = torch F.interpolate(mode=bilinear, align_corners=False)', () => {
  it('matches torch on a 128x128 -> 48x48 pattern (values from PyTorch 1.13)', () => {
    const src = new Float32Array(2 * 128 * 128);
    for (let c = 0; c < 2; c++)
      for (let y = 0; y < 128; y++)
        for (let x = 0; x < 128; x++) src[c * 16384 + y * 128 + x] = (y * 131 + x * 17 + c * 5) % 11;
    const out = new Float32Array(48 * 48 * 2);
    resizeBilinearToHwc(src, 0, 2, 128, 128, 48, 48, out, 0);
    const at = (c: number, r: number, q: number) => out[(r * 48 + q) * 2 + c];
    expect(at(0, 0, 0)).toBeCloseTo(5.6944444444444455, 5);
    expect(at(0, 0, 1)).toBeCloseTo(3.666666666666667, 5);
    expect(at(0, 1, 0)).toBeCloseTo(3.333333333333334, 5);
    expect(at(0, 47, 47)).toBeCloseTo(3.833333333333286, 5);
    expect(at(1, 10, 20)).toBeCloseTo(4.583333333333332, 5);
    expect(at(1, 23, 5)).toBeCloseTo(4.305555555555555, 5);
    expect(at(0, 30, 41)).toBeCloseTo(6.333333333333385, 5);
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(23035.444444444445, 1);
  });

  it('matches torch on a 5x7 -> 3x4 case and is the identity at equal size', () => {
    const src = Float32Array.from({ length: 35 }, (_, i) => i ** 1.5);
    const out = new Float32Array(12);
    resizeBilinearToHwc(src, 0, 1, 5, 7, 3, 4, out, 0);
    const torch = [
      6.936814453382052, 11.275544216397655, 17.05813292935262, 23.879996455920956, 54.5250334566887,
      64.76159945443753, 75.58319027656627, 86.95885441022205, 133.7240541148452, 147.30585478850418,
      161.33531674673503, 175.79796447448186,
    ];
    torch.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 3));
    const same = new Float32Array(35);
    resizeBilinearToHwc(src, 0, 1, 5, 7, 5, 7, same, 0);
    expect(same).toEqual(src);
    const ax = bilinearAxis(128, 48);
    expect(ax.i0[0]).toBe(0); // source coordinate 0.8333 -> between 0 and 1
    expect(ax.w1[0]).toBeCloseTo(5 / 6, 12);
    expect(ax.i1[47]).toBe(127);
  });
});
