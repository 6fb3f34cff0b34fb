import { describe, expect, it } from 'vitest';
import {
  binCaption,
  QUANTILE_LEGEND,
  quantileChart,
  sameValueNote,
} from '../../src-renderer/src/lib/charts/distribution-view';
import type { DistributionEntry } from '../../src-renderer/src/lib/charts/distributions';

const entry = (epoch: number, histogram: DistributionEntry['histogram'], p50 = 0.5): DistributionEntry => ({
  epoch,
  layer: 'conv1.lif',
  quantity: 'alpha',
  stats: {
    count: 64,
    mean: p50,
    std: 0.01,
    min: 0.47,
    max: 0.53,
    p05: 0.48,
    p25: 0.49,
    p50,
    p75: 0.51,
    p95: 0.52,
  },
  histogram,
});

describe('quantile chart', () => {
  it('labels its bands and lines in a legend', () => {
    expect(QUANTILE_LEGEND.map((i) => i.label)).toEqual(['5–95 %', '25–75 %', 'median', 'mean']);
    expect(QUANTILE_LEGEND.map((i) => i.kind)).toEqual(['band', 'band', 'line', 'dashed']);
  });

  it('draws the 5–95 % band outside the 25–75 % band, over epochs counted from 1', () => {
    const h = { lo: 0.47, hi: 0.53, counts: [64] };
    const chart = quantileChart([entry(1, h, 0.52), entry(0, h, 0.5)]);
    expect(chart.columns[0]).toEqual([1, 2]);
    const [upper, lower] = [chart.bands[0]!.upper, chart.bands[0]!.lower];
    expect(chart.columns[upper + 1]).toEqual([0.52, 0.52]);
    expect(chart.columns[lower + 1]).toEqual([0.48, 0.48]);
    expect(chart.columns[chart.bands[1]!.upper + 1]).toEqual([0.51, 0.51]);
    expect(chart.columns[chart.bands[1]!.lower + 1]).toEqual([0.49, 0.49]);
    expect(chart.series.filter((s) => !s.bandEdge).map((s) => s.label)).toEqual(['median', 'mean']);
    expect(chart.columns[5]).toEqual([0.5, 0.52]);
  });
});

describe('histogram captions and notes', () => {
  it('names the bins a histogram was recorded with', () => {
    expect(binCaption({ lo: 0.47, hi: 0.525, counts: new Array<number>(11).fill(1) })).toBe(
      '11 bins of 0.005 from 0.47 to 0.525',
    );
    expect(binCaption({ lo: 0.5, hi: 0.5, counts: [64] })).toBeNull();
  });

  it('says what every channel holds instead of drawing one bar', () => {
    expect(sameValueNote(entry(2, { lo: 0.9, hi: 0.9, counts: [64] }))).toBe(
      'All 64 channels hold 0.9 at epoch 3.',
    );
    expect(sameValueNote(entry(0, { lo: 0.25, hi: 0.25, counts: [1] }))).toBe(
      'One value for the whole layer at epoch 1: 0.25.',
    );
    expect(sameValueNote(entry(0, { lo: 0.47, hi: 0.53, counts: [30, 34] }))).toBeNull();
  });
});
