import { describe, expect, it } from 'vitest';
import { chartToSvg } from '../../src-renderer/src/lib/charts/chart-svg';
import {
  DistributionIndex,
  histogramCurve,
  quantileSeries,
  type DistributionEntry,
} from '../../src-renderer/src/lib/charts/distributions';
import {
  buildFiringGrid,
  firingFlag,
  layerFlag,
  rateColor,
} from '../../src-renderer/src/lib/charts/firing-grid';
import {
  align,
  extent,
  meanCurve,
  meanStd,
  smooth,
  thin,
  lastValue,
} from '../../src-renderer/src/lib/charts/series';

describe('series helpers', () => {
  it('smooths with a debiased EMA: a constant stays constant, gaps stay gaps', () => {
    expect(smooth([2, 2, 2, 2], 0.9)).toEqual([2, 2, 2, 2].map(() => expect.closeTo(2, 12)));
    const out = smooth([0, 10, null, 10], 0.5);
    expect(out[0]).toBeCloseTo(0, 12);
    // (0.5*0 + 0.5*10)... debiased: last = 0.5*0*0.5 + 0.5*10 = 5, debias 0.75 -> 6.667
    expect(out[1]).toBeCloseTo(5 / 0.75, 10);
    expect(out[2]).toBeNull();
    expect(smooth([1, 5, 3], 0)).toEqual([1, 5, 3]);
  });

  it('aligns series on the union of their x values with nulls where a series has no point', () => {
    const cols = align([
      { x: [0, 1, 2, 3], y: [1, 2, 3, 4] },
      { x: [1, 3], y: [10, NaN] },
    ]);
    expect(cols).toEqual([
      [0, 1, 2, 3],
      [1, 2, 3, 4],
      [null, 10, null, null],
    ]);
  });

  it('thins by averaging buckets and keeps the last x of each bucket', () => {
    const x = Array.from({ length: 10 }, (_, i) => i);
    const t = thin({ x, y: x.map((v) => v * 2) }, 5);
    expect(t.x).toEqual([1, 3, 5, 7, 9]);
    expect(t.y).toEqual([1, 5, 9, 13, 17]);
    expect(thin({ x: [1, 2], y: [3, 4] }, 5).x).toEqual([1, 2]);
  });

  it('computes extents, mean +- sample std, and mean curves over runs', () => {
    expect(extent([null, 3, NaN, -1])).toEqual([-1, 3]);
    expect(extent([null])).toBeNull();
    const s = meanStd([1, 2, 3, null])!;
    expect(s.mean).toBe(2);
    expect(s.std).toBeCloseTo(1, 12);
    const m = meanCurve([
      { x: [1, 2], y: [0.5, 0.7] },
      { x: [1, 2, 3], y: [0.7, 0.9, 0.95] },
    ]);
    expect(m.x).toEqual([1, 2, 3]);
    expect(m.mean[0]).toBeCloseTo(0.6, 12);
    expect(m.upper[0]! - m.lower[0]!).toBeCloseTo(2 * Math.SQRT2 * 0.1, 10);
    expect(m.mean[2]).toBe(0.95);
  });
});

describe('firing-rate grid', () => {
  const points = new Map([
    [
      'layer10.lif',
      [
        { epoch: 0, value: 0.2 },
        { epoch: 1, value: 0.25 },
      ],
    ],
    ['layer2.lif', [{ epoch: 1, value: 0 }]],
    [
      'stem.lif',
      [
        { epoch: 0, value: 1 },
        { epoch: 1, value: 1 },
      ],
    ],
  ]);

  it('orders layers by the network order, then naturally, and fills missing epochs with null', () => {
    const grid = buildFiringGrid(points, ['stem.lif']);
    expect(grid.layers).toEqual(['stem.lif', 'layer2.lif', 'layer10.lif']);
    expect(grid.epochs).toEqual([0, 1]);
    expect(grid.rates['layer2.lif']).toEqual([null, 0]);
  });

  it('flags dead (no spike) and saturated (every step) layers by their latest epoch', () => {
    const grid = buildFiringGrid(points);
    expect(layerFlag(grid, 'layer2.lif')).toBe('dead');
    expect(layerFlag(grid, 'stem.lif')).toBe('saturated');
    expect(layerFlag(grid, 'layer10.lif')).toBeNull();
    expect(firingFlag(0.999)).toBeNull();
    expect(firingFlag(null)).toBeNull();
  });

  it('colours from white at zero to the accent at the largest rate', () => {
    expect(rateColor(0, 0.3)).toBe('rgb(255, 255, 255)');
    expect(rateColor(0.3, 0.3)).toBe('rgb(29, 79, 145)');
    expect(rateColor(null, 0.3)).toBe('transparent');
  });
});

describe('distributions', () => {
  const entry = (
    epoch: number,
    layer: string,
    quantity: DistributionEntry['quantity'],
    counts: number[],
  ): DistributionEntry => ({
    epoch,
    layer,
    quantity,
    stats: {
      count: 4,
      mean: epoch,
      std: 0,
      min: 0,
      max: 1,
      p05: 0,
      p25: 0.25,
      p50: 0.5 + epoch,
      p75: 0.75,
      p95: 1,
    },
    histogram: { lo: 0, hi: 1, counts },
  });

  it('indexes entries by layer, quantity and epoch; a later entry for the same epoch replaces the earlier', () => {
    const index = new DistributionIndex([
      entry(0, 'b.lif', 'alpha', [1, 1]),
      entry(1, 'b.lif', 'alpha', [2, 0]),
      entry(0, 'a.lif', 'v_th', [0, 2]),
    ]);
    expect(index.layers()).toEqual(['a.lif', 'b.lif']);
    index.setOrder(['b.lif', 'a.lif']);
    expect(index.layers()).toEqual(['b.lif', 'a.lif']);
    expect(index.quantities('b.lif')).toEqual(['alpha']);
    expect(index.epochs('b.lif', 'alpha')).toEqual([0, 1]);
    expect(index.latest('b.lif', 'alpha')?.histogram.counts).toEqual([2, 0]);
    index.add([entry(1, 'b.lif', 'alpha', [0, 2])]);
    expect(index.get('b.lif', 'alpha', 1)?.histogram.counts).toEqual([0, 2]);
    expect(index.acrossLayers('alpha', 0).map((e) => e.layer)).toEqual(['b.lif']);
  });

  it('turns a histogram into a density over its bin edges that integrates to one', () => {
    const curve = histogramCurve({ lo: -1, hi: 1, counts: [1, 3, 0, 4] });
    expect(curve.x).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(curve.y).toEqual([0.25, 0.75, 0, 1, 0]);
    expect(histogramCurve({ lo: 0.5, hi: 0.5, counts: [8] })).toEqual({ x: [0.5], y: [1] });
    expect(histogramCurve({ lo: 0, hi: 1, counts: [0, 0] })).toEqual({ x: [], y: [] });
  });

  it('overlays histograms of different bins on one density scale', () => {
    // The same 10 values binned coarsely and finely: the densities agree where the bins nest.
    const coarse = histogramCurve({ lo: 0.4, hi: 0.6, counts: [5, 5] });
    const fine = histogramCurve({ lo: 0.4, hi: 0.6, counts: [2, 3, 3, 2] });
    expect(coarse.y[0]).toBeCloseTo(5);
    expect((fine.y[0]! + fine.y[1]!) / 2).toBeCloseTo(coarse.y[0]!);
  });

  it('leaves off the empty bins at the ends of an old fixed 0-1 histogram', () => {
    const counts = new Array<number>(20).fill(0);
    counts[9] = 30;
    counts[10] = 34;
    const curve = histogramCurve({ lo: 0, hi: 1, counts });
    expect(curve.x).toEqual([0.45, 0.5, 0.55]);
    expect(curve.y[0]).toBeCloseTo(30 / 64 / 0.05);
    expect(curve.y[2]).toBe(0);
  });

  it('lists quantiles in epoch order', () => {
    const q = quantileSeries([entry(2, 'l', 'alpha', [1]), entry(0, 'l', 'alpha', [1])]);
    expect(q.epochs).toEqual([0, 2]);
    expect(q.p50).toEqual([0.5, 2.5]);
  });
});

describe('chart SVG export', () => {
  it('writes a standalone SVG with title, ticks, one polyline per unbroken stretch and escaped labels', () => {
    const svg = chartToSvg({
      title: 'Loss <train & test>',
      xLabel: 'step',
      yLabel: 'loss',
      plot: { left: 50, top: 10, width: 300, height: 150 },
      xTicks: [
        { pos: 0, label: '0' },
        { pos: 300, label: '100' },
      ],
      yTicks: [{ pos: 150, label: '0.5' }],
      series: [
        {
          label: 'train',
          color: '#1d4f91',
          width: 1.5,
          lines: [
            [
              [0, 10],
              [10, 20],
            ],
            [
              [50, 60],
              [60, 70],
              [70, 80],
            ],
          ],
        },
        { label: 'test "held out"', color: '#b35c00', width: 2, dash: [4, 2], lines: [[[5, 5]]] },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Loss &#60;train &#38; test&#62;');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('points="50,60 60,70 70,80"');
    expect(svg).toContain('<circle cx="5" cy="5"');
    expect(svg).toContain('stroke-dasharray="4 2"');
    expect(svg).toContain('test &#34;held out&#34;');
    expect(svg).toContain('>100</text>');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});

describe('lastValue', () => {
  it("is the last finite value of a column: where the chart's line ends", () => {
    expect(lastValue([1, 2, null, 3, null, Number.NaN])).toBe(3);
    expect(lastValue([null, Number.POSITIVE_INFINITY])).toBeNull();
    expect(lastValue([])).toBeNull();
  });

  it('reads the same number as the smoothed chart, not the last raw step', () => {
    const raw = [100, 300, 100, 300];
    const drawn = smooth(raw, 0.6);
    expect(lastValue(drawn)).toBeCloseTo(drawn[3]!);
    expect(lastValue(drawn)).not.toBe(300);
  });
});
