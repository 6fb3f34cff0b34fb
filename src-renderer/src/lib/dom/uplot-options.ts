/**
 * The uPlot options of a LineChart: scales (log, clipped, fixed or percent y), axes with our tick
 * formats and the theme's colours, series and bands, the cursor (drag to zoom, synced crosshair)
 * and the tooltip. Kept apart from the component so LineChart.svelte holds only its lifecycle.
 */
import uPlot from 'uplot';
import { formatPercent, formatStat } from '../components/format';
import { type AlignedColumns } from '../charts/series';
import {
  formatLogTick,
  formatPercentTick,
  formatTick,
  PERCENT_INCREMENTS,
  percentRange,
  yAxisSize,
} from '../charts/ticks';
import {
  ELAPSED_INCREMENTS,
  formatClockTicks,
  formatElapsedTick,
  formatXValue,
  timeAxisRange,
} from '../charts/time-ticks';
import type { ChartBand, ChartSeries } from '../charts/types';
import { clippedRange } from '../charts/view-options';
import type { XKind } from '../charts/x-axis';
import { applyYRange, type YRange } from '../charts/y-range';
import { tooltipPlugin } from './chart-tooltip';

const INTEGER_INCREMENTS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6,
];

export interface AxisColors {
  readonly text: string;
  readonly grid: string;
  readonly tick: string;
}

/** Axis and grid colours of the current theme (app.css tokens), read when a chart is built. */
export function axisColors(el: Element | undefined): AxisColors {
  const css = el ? getComputedStyle(el) : null;
  const token = (name: string, fallback: string) => css?.getPropertyValue(name).trim() || fallback;
  return {
    text: token('--text-muted', '#57606a'),
    grid: token('--surface-sunken', '#eef0f3'),
    tick: token('--border', '#d8dce2'),
  };
}

export interface ChartOptionsInput {
  readonly width: number;
  readonly height: number;
  /** The x axis's name in tooltips and the legend. */
  readonly xLabel: string;
  /** The x axis's title under it, with its unit. */
  readonly xTitle: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly bands: readonly ChartBand[];
  readonly logY: boolean;
  readonly clipOutliers: boolean;
  readonly yRange: readonly [number, number] | null;
  /** Typed in from the chart's View menu: over every other range. */
  readonly typedYRange: YRange | null;
  readonly percentY: boolean;
  readonly xKind: XKind;
  readonly syncKey: string | undefined;
  readonly colors: AxisColors;
  readonly hooks: uPlot.Hooks.Arrays;
}

/** The y range the chart draws by itself, before any typed range: log, clipped, fixed or percent. */
function autoYRange(
  input: ChartOptionsInput,
  skip: (i: number) => boolean,
): (u: uPlot, min: number | null, max: number | null) => [number, number] {
  const { logY: log, clipOutliers: clip, yRange, percentY: percent } = input;
  return (u, min, max) => {
    if (min === null || max === null) return yRange ? [yRange[0], yRange[1]] : log ? [1, 10] : [0, 1];
    if (log) return uPlot.rangeLog(min, max, 10, true) as [number, number];
    if (clip) return clippedRange(u.data as AlignedColumns, skip) ?? [min, max];
    if (yRange) return [yRange[0], yRange[1]];
    if (percent) return percentRange(min, max);
    return uPlot.rangeNum(min, max, 0.1, true) as [number, number];
  };
}

function yScale(input: ChartOptionsInput, skip: (i: number) => boolean): uPlot.Scale {
  const { logY: log, clipOutliers: clip, yRange, percentY: percent, typedYRange } = input;
  if (typedYRange) {
    const auto = autoYRange(input, skip);
    return {
      ...(log ? { distr: 3, log: 10 } : {}),
      auto: true,
      range: (u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax =>
        applyYRange(auto(u, min, max), typedYRange, log),
    };
  }
  if (log) return { distr: 3, log: 10 };
  if (clip)
    return {
      auto: true,
      // Recomputed from the data on every update, so new steps move the range too.
      range: (u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax =>
        clippedRange(u.data as AlignedColumns, skip) ?? [min, max],
    };
  if (yRange) return { auto: false, range: [yRange[0], yRange[1]] };
  if (percent)
    return {
      auto: true,
      range: (_u: uPlot, min: number | null, max: number | null) => percentRange(min, max),
    };
  return { auto: true };
}

type TickValues = (
  u: uPlot,
  splits: readonly (number | null)[],
  axis: number,
  space: number,
  incr: number,
) => string[];

/** How the x axis picks and writes its ticks, by what its values are. */
function xTicks(kind: XKind): Partial<uPlot.Axis> {
  switch (kind) {
    // Counted axes keep uPlot's labels (thousands separators).
    case 'count':
      return { incrs: INTEGER_INCREMENTS };
    case 'elapsed': {
      const values: TickValues = (_u, splits, _a, _s, incr) => splits.map((v) => formatElapsedTick(v, incr));
      return { incrs: [...ELAPSED_INCREMENTS], space: 60, values };
    }
    case 'clock': {
      // uPlot's time scale places the ticks on round clock times; the labels are ours, and the
      // steps are the durations' (its own go to milliseconds, which no clock label shows).
      const values: TickValues = (u, splits, _a, _s, incr) =>
        formatClockTicks(splits, incr, u.scales['x']?.min ?? null, u.scales['x']?.max ?? null);
      return { incrs: [...ELAPSED_INCREMENTS], space: 70, values };
    }
    // uPlot's own x labels stop at three decimals: a histogram of gates 0.0005 wide read
    // "0.5 0.5 0.5". Labels with more decimals are wider: ticks further apart keep them apart.
    case 'number': {
      const values: TickValues = (_u, splits, _a, _s, incr) => splits.map((v) => formatTick(v, incr));
      return { space: 80, values };
    }
  }
}

export function chartOptions(input: ChartOptionsInput): uPlot.Options {
  const { width, height, xLabel, xTitle, yLabel, series, bands, syncKey, colors, xKind } = input;
  const log = input.logY;
  const percent = input.percentY;
  const skip = (i: number) => series[i]?.bandEdge === true;
  // Written against the drawn data's span: tenths of a second on a short run, the day on a long one.
  const xText = (u: uPlot, x: number) => {
    const xs = u.data[0];
    const span: [number, number] | null = xs.length > 0 ? [xs[0]!, xs[xs.length - 1]!] : null;
    return formatXValue(xKind, x, span);
  };
  return {
    width,
    height,
    legend: { live: true },
    cursor: {
      drag: { x: true, y: false, setScale: true },
      ...(syncKey ? { sync: { key: syncKey } } : {}),
    },
    plugins: [
      tooltipPlugin(
        xLabel,
        xText,
        series.map((s) => ({ label: s.label, color: s.color, hidden: !!(s.bandEdge || s.unlisted) })),
        (v) => (percent ? formatPercent(v, 1) : formatStat(v)),
      ),
    ],
    scales: {
      x: {
        time: xKind === 'clock',
        ...(xKind === 'clock' || xKind === 'elapsed'
          ? { range: (_u: uPlot, min: number | null, max: number | null) => timeAxisRange(min, max) }
          : {}),
      },
      y: yScale(input, skip),
    },
    axes: [
      {
        label: xTitle,
        stroke: colors.text,
        grid: { stroke: colors.grid },
        ticks: { stroke: colors.tick },
        ...xTicks(xKind),
      },
      {
        label: yLabel,
        stroke: colors.text,
        size: (_u: uPlot, values: readonly (string | null)[] | null) => yAxisSize(values ?? []),
        grid: { stroke: colors.grid },
        ticks: { stroke: colors.tick },
        ...(percent && !log ? { incrs: [...PERCENT_INCREMENTS] } : {}),
        // uPlot passes null for the ticks it drops on a log axis: those get no label.
        values: (
          _u: uPlot,
          splits: readonly (number | null)[],
          _axis: number,
          _space: number,
          incr: number,
        ) =>
          splits.map((v) =>
            log ? formatLogTick(v) : percent ? formatPercentTick(v, incr) : formatTick(v, incr),
          ),
      },
    ],
    series: [
      { label: xLabel, value: (u: uPlot, v: number | null) => (v === null ? '' : xText(u, v)) },
      ...series.map((s): uPlot.Series => ({
        label: s.label,
        stroke: s.bandEdge ? 'transparent' : s.color,
        width: s.width ?? 1.5,
        ...(s.dash ? { dash: [...s.dash] } : {}),
        spanGaps: s.spanGaps ?? false,
        ...(s.fill ? { fill: s.fill } : {}),
        ...(s.stepped ? { paths: uPlot.paths.stepped!({ align: 1 }) } : {}),
        points: { show: s.points ?? false, size: 5 },
        // uPlot's own legend numbers round to three decimals: a learning rate of 3e-4 read "0".
        value: (_u: uPlot, v: number | null) => (percent ? formatPercent(v, 1) : formatStat(v)),
      })),
    ],
    bands: bands.map((b) => ({ series: [b.upper + 1, b.lower + 1] as [number, number], fill: b.fill })),
    hooks: input.hooks,
  };
}
