import { describe, expect, it } from 'vitest';
import type { RunComparison } from '../../src-renderer/src/lib/api/contract';
import {
  brushFromDrag,
  buildAxis,
  categoryPosition,
  layoutParallel,
  linearScale,
  logScale,
  moveKey,
  positionY,
  rampColor,
  rampFractions,
  reconcileOrder,
  runPolylines,
  shouldUseLog,
  withinBrushes,
  type ParallelAxis,
} from '../../src-renderer/src/lib/charts/parallel-coords';
import { renderParallelSvg } from '../../src-renderer/src/lib/charts/parallel-coords-svg';
import {
  configColumns,
  metricColumn,
  metricValues,
  parallelSummary,
} from '../../src-renderer/src/lib/state/parallel-columns';
import { runSummary } from '../helpers/run-summary';

describe('log axis decision', () => {
  it('takes a log axis only for positive values spanning more than a decade', () => {
    expect(shouldUseLog([0.001, 0.01, 0.1])).toBe(true);
    expect(shouldUseLog([0.002, 0.05])).toBe(true);
    // Exactly one decade, or less, stays linear.
    expect(shouldUseLog([0.01, 0.1])).toBe(false);
    expect(shouldUseLog([0.05, 0.1, 0.2])).toBe(false);
    // Zero or a negative value cannot be on a log axis.
    expect(shouldUseLog([0, 0.01, 1])).toBe(false);
    expect(shouldUseLog([-1, 100])).toBe(false);
    expect(shouldUseLog([0.001])).toBe(false);
  });

  it('places learning rates a decade apart evenly on a log axis', () => {
    const axis = buildAxis({ key: 'train.lr', label: 'train.lr', values: [0.001, 0.01, 0.1] });
    expect(axis.kind).toBe('log');
    const [a, b, c] = axis.positions as number[];
    expect(b! - a!).toBeCloseTo(c! - b!, 9);
    expect(axis.ticks.map((t) => t.label)).toContain('0.01');
    expect(a).toBeGreaterThanOrEqual(0);
    expect(c).toBeLessThanOrEqual(1);
  });

  it('log scales span whole decades and add 2× and 5× ticks when only two decades are shown', () => {
    const s = logScale(0.002, 0.05);
    expect(s.lo).toBeCloseTo(0.001, 12);
    expect(s.hi).toBeCloseTo(0.1, 12);
    expect(s.ticks).toEqual([0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1]);
    expect(logScale(1e-5, 0.5).ticks).toEqual([1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
  });
});

describe('linear axes', () => {
  it('widens the range to whole ticks without float noise', () => {
    const s = linearScale(0.05, 0.3);
    expect(s.lo).toBe(0.05);
    expect(s.hi).toBe(0.3);
    expect(s.ticks).toEqual([0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
  });

  it('ticks whole-number values at whole numbers only', () => {
    const s = linearScale(2, 4, false, true);
    expect(s.ticks.every(Number.isInteger)).toBe(true);
    expect(s.ticks[0]).toBe(2);
    expect(s.ticks.at(-1)).toBe(4);
  });

  it('keeps accuracies within 0–100 % and labels them as percentages', () => {
    const axis = buildAxis({ key: 'm', label: 'acc', percent: true, values: [0.92, 0.97, 0.995] });
    expect(axis.kind).toBe('linear');
    for (const t of axis.ticks) expect(t.label).toMatch(/^\d+ %$/);
    expect(axis.ticks.at(-1)?.label).toBe('100 %');
    // An accuracy spanning decades is still not put on a log axis.
    expect(buildAxis({ key: 'm', label: 'acc', percent: true, values: [0.01, 0.9] }).kind).toBe('linear');
  });

  it('draws a run without a value below the axis (null), the others on it', () => {
    const axis = buildAxis({ key: 'train.gateLr', label: 'g', values: [0.1, null, undefined, 0.2] });
    expect(axis.kind).toBe('linear');
    expect(axis.positions[1]).toBeNull();
    expect(axis.positions[2]).toBeNull();
    expect(axis.positions[0]).toBeLessThan(axis.positions[3]!);
    expect(axis.texts).toEqual(['0.1', 'none', '(not set)', '0.2']);
  });
});

describe('categorical axes', () => {
  it('spaces categories evenly, first at the top, none on the ends', () => {
    expect(categoryPosition(0, 2)).toBe(0.75);
    expect(categoryPosition(1, 2)).toBe(0.25);
    expect(categoryPosition(0, 1)).toBe(0.5);
  });

  it('puts strings, booleans and null on a category axis, one tick per distinct value', () => {
    const axis = buildAxis({
      key: 'neuron.variant',
      label: 'neuron.variant',
      values: ['simplex-101', 'glif', 'glif', 'simplex-011'],
    });
    expect(axis.kind).toBe('category');
    expect(axis.ticks.map((t) => t.label)).toEqual(['glif', 'simplex-011', 'simplex-101']);
    expect(axis.ticks.map((t) => t.position)).toEqual([5 / 6, 0.5, 1 / 6].map((v) => expect.closeTo(v, 9)));
    // Both glif runs on the glif tick.
    expect(axis.positions).toEqual([1 / 6, 5 / 6, 5 / 6, 0.5].map((v) => expect.closeTo(v, 9)));

    const mixed = buildAxis({ key: 'k', label: 'k', values: [true, null, false, 'auto', 3] });
    expect(mixed.kind).toBe('category');
    expect(mixed.ticks.map((t) => t.label)).toEqual(['3', 'false', 'true', 'auto', 'none']);
  });

  it('labels the axis with the short text and describes values in full', () => {
    const axis = buildAxis({
      key: 'neuron.variant',
      label: 'neuron.variant',
      values: ['glif', 'simplex-101'],
      describe: (v) => `${String(v)} — long name`,
      short: (v) => String(v),
    });
    expect(axis.ticks.map((t) => t.label)).toEqual(['glif', 'simplex-101']);
    expect(axis.texts).toEqual(['glif — long name', 'simplex-101 — long name']);
  });
});

const threeAxes = (): ParallelAxis[] => [
  buildAxis({ key: 'train.lr', label: 'train.lr', values: [0.001, 0.01, 0.1, 0.01] }),
  buildAxis({
    key: 'neuron.variant',
    label: 'neuron.variant',
    values: ['glif', 'glif', 'simplex-101', 'simplex-101'],
  }),
  buildAxis({
    key: 'metric',
    label: 'final test accuracy',
    percent: true,
    values: [0.5, 0.7, 0.9, undefined],
  }),
];

describe('layout and polylines', () => {
  it('spreads the axes over the width, first and last inside it', () => {
    const axes = threeAxes();
    const layout = layoutParallel(axes, 800, 340);
    expect(layout.width).toBe(800);
    expect(layout.xs).toHaveLength(3);
    expect(layout.xs[0]).toBeGreaterThan(30);
    expect(layout.xs[2]).toBeLessThan(800);
    expect(layout.xs[1]! - layout.xs[0]!).toBeCloseTo(layout.xs[2]! - layout.xs[1]!, 6);
    // A run without a metric value: a row below the axes.
    expect(layout.missingY).toBeGreaterThan(layout.bottom);
    expect(layout.titles.map((t) => t.text)).toEqual(['train.lr', 'neuron.variant', 'final test accuracy']);
  });

  it('widens past the box, and staggers titles, rather than crowding many axes', () => {
    const axes = Array.from({ length: 12 }, (_, i) =>
      buildAxis({
        key: `model.layers.${i}.channels`,
        label: `model.layers.${i}.channels`,
        values: [i, i + 1],
      }),
    );
    const layout = layoutParallel(axes, 700, 340);
    expect(layout.width).toBeGreaterThan(700);
    const gaps = layout.xs.slice(1).map((x, i) => x - layout.xs[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(96 - 1e-9);
    expect(new Set(layout.titles.map((t) => t.y)).size).toBe(2);
  });

  it('draws each run as a polyline through its place on every axis', () => {
    const axes = threeAxes();
    const layout = layoutParallel(axes, 800, 340);
    const lines = runPolylines(axes, layout);
    expect(lines).toHaveLength(4);
    const points = lines[3]!.split(' ').map((p) => p.split(',').map(Number));
    expect(points).toHaveLength(3);
    expect(points[0]![0]).toBeCloseTo(layout.xs[0]!, 0);
    expect(points[1]![1]).toBeCloseTo(positionY(layout, 0.25), 0);
    expect(points[2]![1]).toBeCloseTo(layout.missingY!, 0);
  });
});

describe('brushing', () => {
  it('keeps only the runs within every brushed range; no brush keeps all', () => {
    const axes = threeAxes();
    expect(withinBrushes(axes, {})).toEqual([true, true, true, true]);
    // Upper half of the variant axis: the two glif runs.
    expect(withinBrushes(axes, { 'neuron.variant': { lo: 0.5, hi: 1 } })).toEqual([true, true, false, false]);
    const lr = axes[0]!;
    const brush = { lo: lr.positions[1]! - 0.01, hi: 1 };
    expect(withinBrushes(axes, { 'train.lr': brush })).toEqual([false, true, true, true]);
    // Both together: only run 1 is in both ranges.
    expect(withinBrushes(axes, { 'train.lr': brush, 'neuron.variant': { lo: 0.5, hi: 1 } })).toEqual([
      false,
      true,
      false,
      false,
    ]);
  });

  it('leaves out a run without a value on a brushed axis, and ignores brushes of hidden axes', () => {
    const axes = threeAxes();
    expect(withinBrushes(axes, { metric: { lo: 0, hi: 1 } })).toEqual([true, true, true, false]);
    expect(withinBrushes(axes, { 'hidden.key': { lo: 0.9, hi: 1 } })).toEqual([true, true, true, true]);
  });

  it('turns a drag into a range of axis positions, either direction, clamped to the axis', () => {
    const layout = layoutParallel(threeAxes(), 800, 340);
    const mid = (layout.top + layout.bottom) / 2;
    const down = brushFromDrag(layout, layout.top - 50, mid);
    expect(down.hi).toBe(1);
    expect(down.lo).toBeCloseTo(0.5, 9);
    expect(brushFromDrag(layout, mid, layout.top - 50)).toEqual(down);
    expect(brushFromDrag(layout, layout.bottom + 40, mid).lo).toBe(0);
  });
});

describe('axis order and colours', () => {
  it('moves an axis within the ends and keeps a user order across new keys', () => {
    expect(moveKey(['a', 'b', 'c'], 'c', -1)).toEqual(['a', 'c', 'b']);
    expect(moveKey(['a', 'b', 'c'], 'a', -1)).toEqual(['a', 'b', 'c']);
    expect(reconcileOrder(['c', 'a'], ['a', 'b', 'c'])).toEqual(['c', 'a', 'b']);
    expect(reconcileOrder(['x', 'a'], ['a'])).toEqual(['a']);
  });

  it('shades by the metric from lowest to highest', () => {
    expect(rampFractions([0.5, null, 0.9, 0.7])).toEqual([0, null, 1, expect.closeTo(0.5, 9)]);
    expect(rampColor(0)).toBe('#440154');
    expect(rampColor(1)).toBe('#8fc62c');
    expect(rampColor(0.5)).not.toBe(rampColor(0));
  });
});

describe('columns from a comparison and the SVG export', () => {
  const runs = ['a', 'b', 'c'].map((id) => runSummary({ id, name: `run ${id}` }));
  const comparison: RunComparison = {
    runs,
    configDiff: [
      { path: 'train.lr', values: { a: 0.001, b: 0.01, c: 0.1 } },
      { path: 'neuron.variant', values: { a: 'glif', b: 'simplex-101' } },
    ],
    finals: runs.map((r, i) => ({
      runId: r.id,
      durationMs: 1000 * (i + 1),
      finalTestAccuracy: i === 2 ? null : 0.5 + i / 10,
      finalTestLoss: 1,
      finalTrainAccuracy: 0.5,
      finalTrainLoss: 1,
      energySops: 100,
      energyMacs: 10,
      energyMicrojoules: 1e-4,
      bestTestAccuracy: i === 2 ? null : 0.55 + i / 10,
      bestEpoch: i === 2 ? null : 1,
    })),
    seedGroups: [],
  };

  it('makes one column per differing key and one for the metric, values in run order', () => {
    const cols = configColumns(comparison, (path, value) => `${path}=${String(value)}`);
    expect(cols.map((c) => c.key)).toEqual(['train.lr', 'neuron.variant']);
    expect(cols[1]!.values).toEqual(['glif', 'simplex-101', undefined]);
    expect(buildAxis(cols[1]!).texts[2]).toBe('neuron.variant=undefined');
    expect(metricValues(comparison, 'finalTestAccuracy')).toEqual([0.5, 0.6, null]);
    expect(metricValues(comparison, 'durationMs')).toEqual([1, 2, 3]);
    const metric = buildAxis(metricColumn(comparison, 'finalTestAccuracy'));
    expect(metric.texts).toEqual(['50.00 %', '60.00 %', 'no value yet']);
  });

  it('sums the chart up in one sentence, with the brushed count when brushed', () => {
    expect(parallelSummary(3, ['train.lr'], 'final test accuracy', null)).toBe(
      'Parallel coordinates of 3 runs over 1 hyperparameter (train.lr) against final test accuracy.',
    );
    expect(parallelSummary(5, ['a', 'b'], 'final test loss', 2)).toMatch(
      /over 2 hyperparameters \(a, b\) against final test loss\. 2 of 5 runs lie within the brushed ranges\.$/,
    );
  });

  it('exports axes, titles, faded runs and a legend', () => {
    const axes = [
      ...configColumns(comparison, (_p, v) => String(v)).map(buildAxis),
      buildAxis(metricColumn(comparison, 'finalTestAccuracy')),
    ];
    const layout = layoutParallel(axes, 700, 340);
    const svg = renderParallelSvg({
      title: 'Hyperparameters against final test accuracy',
      axes,
      layout,
      polylines: runPolylines(axes, layout),
      colors: ['#1d4f91', '#b35c00', '#1f7a45'],
      within: [true, false, true],
      labels: ['run a', 'run b', 'run c'],
      brushes: { 'train.lr': { lo: 0, hi: 0.2 } },
    });
    expect(svg.svg).toMatch(/^<svg xmlns/);
    expect([...svg.svg.matchAll(/class="axis-title"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([
      'train.lr',
      'neuron.variant',
      'final test accuracy',
    ]);
    expect(svg.svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg.svg.match(/class="run faded"/g)).toHaveLength(1);
    expect(svg.svg.match(/class="legend"/g)).toHaveLength(3);
    expect(svg.svg).toContain('fill-opacity="0.18"');
    expect(svg.height).toBeGreaterThan(340);
  });
});
