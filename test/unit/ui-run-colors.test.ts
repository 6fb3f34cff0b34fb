import { describe, expect, it } from 'vitest';
import { runColors } from '../../src-renderer/src/lib/charts/run-colors';
import { PALETTE } from '../../src-renderer/src/lib/charts/types';

function linear(channel: number): number {
  const c = channel / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((at) => linear(Number.parseInt(hex.slice(at, at + 2), 16))) as [
    number,
    number,
    number,
  ];
}

/** CIELAB under D65, for colour distances as the eye sees them. */
function lab(hex: string): [number, number, number] {
  const [r, g, b] = rgb(hex);
  const f = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const x = f((r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047);
  const y = f(r * 0.2126 + g * 0.7152 + b * 0.0722);
  const z = f((r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

const ids = Array.from({ length: 30 }, (_, i) => `r${String(i).padStart(15, '0')}`);

describe('run colours', () => {
  it('has twenty colours that stay apart and read on white', () => {
    expect(PALETTE.length).toBeGreaterThanOrEqual(20);
    for (let i = 0; i < PALETTE.length; i++) {
      const [r, g, b] = rgb(PALETTE[i]!);
      const contrast = 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
      expect(contrast, PALETTE[i]).toBeGreaterThanOrEqual(3);
      for (let j = i + 1; j < PALETTE.length; j++) {
        const distance = Math.hypot(...lab(PALETTE[i]!).map((v, k) => v - lab(PALETTE[j]!)[k]!));
        expect(distance, `${PALETTE[i]} vs ${PALETTE[j]}`).toBeGreaterThanOrEqual(20);
      }
    }
  });

  it('gives twenty runs made one after another twenty different colours', () => {
    const colorOf = runColors(ids);
    expect(new Set(ids.slice(5, 25).map(colorOf)).size).toBe(20);
  });

  it('keeps a run its colour whichever runs it is compared with', () => {
    const colorOf = runColors(ids);
    const run = ids[12]!;
    const alone = colorOf(run);
    // The view asks per run, so the other runs compared cannot move it; newer runs do not either.
    expect(runColors([...ids, 'r_newer_run_0001'])(run)).toBe(alone);
    expect([ids[3]!, run].map(colorOf)[1]).toBe(alone);
    expect([run, ids[20]!, ids[27]!].map(colorOf)[0]).toBe(alone);
  });

  it('still gives a run the list lacks one colour of its own', () => {
    const colorOf = runColors([]);
    expect(colorOf('r000000000abcdef')).toBe(colorOf('r000000000abcdef'));
    expect(PALETTE).toContain(colorOf('r000000000abcdef'));
  });
});
