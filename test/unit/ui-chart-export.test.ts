import { describe, expect, it } from 'vitest';
import {
  chartToSvg,
  renderChartSvg,
  type ChartSnapshot,
  type ChartSnapshotSeries,
} from '../../src-renderer/src/lib/charts/chart-svg';
import { estimateTextWidth, layoutLegend, wrapText } from '../../src-renderer/src/lib/charts/legend-layout';
import { DISTRIBUTION_QUANTITIES } from '../../src-main/contract/distributions';
import { exportFileName } from '../../src-renderer/src/lib/charts/export-names';

/** Wider than system-ui draws lowercase text at 11 px: a label within this width is inside the image. */
const GENEROUS_CHAR = 7;

function snapshot(labels: readonly string[], title = 'Test accuracy per epoch'): ChartSnapshot {
  return {
    title,
    xLabel: 'epoch',
    yLabel: 'accuracy',
    plot: { left: 72, top: 36, width: 360, height: 160 },
    xTicks: [{ pos: 0, label: '1' }],
    yTicks: [{ pos: 160, label: '0 %' }],
    series: labels.map((label, i): ChartSnapshotSeries => ({
      label,
      color: `#00000${i % 10}`,
      width: 2,
      lines: [
        [
          [0, 100],
          [360, 20],
        ],
      ],
    })),
  };
}

interface LegendText {
  x: number;
  y: number;
  text: string;
}

function parse(svg: string): { width: number; height: number; legend: LegendText[] } {
  const box = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  expect(box).not.toBeNull();
  const legend = [
    ...svg.matchAll(/<text class="legend" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text>/g),
  ].map((m) => ({ x: Number(m[1]), y: Number(m[2]), text: m[3]! }));
  return { width: Number(box![1]), height: Number(box![2]), legend };
}

function expectInside(svg: string): void {
  const { width, height, legend } = parse(svg);
  for (const t of legend) {
    expect(t.x + t.text.length * GENEROUS_CHAR, `"${t.text}" runs past the right edge`).toBeLessThanOrEqual(
      width,
    );
    // The baseline plus the descent of 11 px text.
    expect(t.y + 4, `"${t.text}" runs past the bottom`).toBeLessThanOrEqual(height);
  }
}

const runNames = (n: number) =>
  Array.from({ length: n }, (_, i) => `glif layer-wise seed ${i} lr 0.1 (run ${i})`);

describe('chart export legend', () => {
  it('wraps many long run names into rows inside the image, which grows to hold them', () => {
    const few = parse(chartToSvg(snapshot(['train', 'test'])));
    expect(few.legend.map((t) => t.text)).toEqual(['train', 'test']);
    expect(new Set(few.legend.map((t) => t.y)).size).toBe(1);

    const labels = runNames(12);
    const svg = chartToSvg(snapshot(labels));
    const many = parse(svg);
    expect(many.legend.map((t) => t.text)).toEqual(labels);
    const rows = new Set(many.legend.map((t) => t.y)).size;
    expect(rows).toBeGreaterThanOrEqual(6);
    expect(many.height).toBeGreaterThanOrEqual(few.height + (rows - 1) * 18);
    expectInside(svg);
  });

  it('breaks a label longer than the whole row over lines, every character kept', () => {
    const long = `${'a-very-long-run-name-without-any-space-'.repeat(6)}end`;
    const words = 'GLIF layer-wise gates on CIFAR-100 with ResNet-19, T=6, seed 3, lr 0.1, label smoothing';
    const svg = chartToSvg(snapshot(['short', long, words, 'after']));
    const { legend } = parse(svg);
    expect(legend.length).toBeGreaterThan(5);
    // Every character is drawn, in order; the spaces a wrap broke at are the only ones dropped.
    const drawn = legend.map((t) => t.text).join('');
    expect(drawn.replace(/ /g, '')).toBe(`short${long}${words}after`.replace(/ /g, ''));
    expectInside(svg);
  });

  it('gives band fills (no label) no legend entry', () => {
    const s = snapshot(['median']);
    const withBand: ChartSnapshot = {
      ...s,
      series: [
        {
          label: '',
          color: 'transparent',
          width: 0,
          lines: [],
          fills: [
            [
              [0, 0],
              [1, 1],
              [2, 0],
            ],
          ],
        },
        ...s.series,
      ],
    };
    const { legend } = parse(chartToSvg(withBand));
    expect(legend.map((t) => t.text)).toEqual(['median']);
    expect(chartToSvg(withBand).match(/stroke="transparent"/g)).toBeNull();
  });

  it('widens the image for a long title and reports the size it drew', () => {
    const title = 'α over channels of features.block3.conv2.neurons, epoch 200 of a very long run';
    const chart = renderChartSvg(snapshot(['train'], title));
    expect(chart.width).toBeGreaterThanOrEqual(72 + title.length * GENEROUS_CHAR);
    expect(chart.svg).toContain(`viewBox="0 0 ${chart.width} ${chart.height}"`);
  });
});

describe('legend layout', () => {
  const measure = (t: string) => t.length * 6;

  it('packs entries on a row until the next would not fit', () => {
    const layout = layoutLegend(['aaaa', 'bbbb', 'cccc'], 120, measure);
    // Each entry: 24 swatch + 24 text; gap 18.
    expect(layout.entries.map((e) => [e.x, e.row])).toEqual([
      [0, 0],
      [66, 0],
      [0, 1],
    ]);
    expect(layout.rows).toBe(2);
    expect(layoutLegend([], 100, measure).rows).toBe(0);
  });

  it('wraps at spaces, and anywhere inside a word too wide for a line', () => {
    expect(wrapText('one two three', 50, measure)).toEqual(['one two', 'three']);
    expect(wrapText('abcdefghijklmnopqrstuvwxyz', 60, measure)).toEqual([
      'abcdefghij',
      'klmnopqrst',
      'uvwxyz',
    ]);
    expect(wrapText('', 60, measure)).toEqual(['']);
  });

  it('estimates text generously: never narrower than 0.6 em a character', () => {
    for (const text of ['train (epoch)', 'WWWW MMMM', 'ααββγγ', '實驗一']) {
      expect(estimateTextWidth(text, 10)).toBeGreaterThanOrEqual([...text].length * 6);
    }
  });
});

describe('export file names', () => {
  it('name the run and the chart', () => {
    expect(exportFileName(['GLIF baseline', 'loss'], 'png')).toBe('GLIF-baseline-loss.png');
    expect(exportFileName(['compare-3-runs', 'epoch/test_accuracy'], 'csv')).toBe(
      'compare-3-runs-epoch-test_accuracy.csv',
    );
    expect(exportFileName(['run', 'loss', '2x'], 'png')).toBe('run-loss-2x.png');
  });

  it('differ for every distribution quantity of one layer and epoch', () => {
    const names = DISTRIBUTION_QUANTITIES.map((q) =>
      exportFileName(['GLIF baseline', q, 'distribution', 'conv1', 'epoch-2'], 'svg'),
    );
    expect(names).toContain('GLIF-baseline-alpha-distribution-conv1-epoch-2.svg');
    expect(names).toContain('GLIF-baseline-v_th-distribution-conv1-epoch-2.svg');
    expect(new Set(names).size).toBe(DISTRIBUTION_QUANTITIES.length);
  });

  it('keep the quantity after a very long run name, and never name a path', () => {
    const name = exportFileName([`${'x'.repeat(300)}/../..`, 'gamma', 'quantiles', 'fc1'], 'svg');
    expect(name.endsWith('-gamma-quantiles-fc1.svg')).toBe(true);
    expect(name).not.toContain('/');
    expect(exportFileName(['', '  '], 'svg')).toBe('export.svg');
  });
});
