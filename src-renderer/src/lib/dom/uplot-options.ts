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
import type { ChartBand, ChartSeries } from '../charts/types';
import { clippedRange } from '../charts/view-options';
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
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly bands: readonly ChartBand[];
  readonly logY: boolean;
  readonly clipOutliers: boolean;
  readonly yRange: readonly [number, number] | null;
  readonly percentY: boolean;
  readonly integerX: boolean;
  readonly syncKey: string | undefined;
  readonly colors: AxisColors;
  readonly hooks: uPlot.Hooks.Arrays;
}

export function chartOptions(input: ChartOptionsInput): uPlot.Options {
  const { width, height, xLabel, yLabel, series, bands, yRange, integerX, syncKey, colors } = input;
  const log = input.logY;
  const clip = input.clipOutliers;
  const percent = input.percentY;
  const skip = (i: number) => series[i]?.bandEdge === true;
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
        series.map((s) => ({ label: s.label, color: s.color, hidden: !!(s.bandEdge || s.unlisted) })),
        (v) => (percent ? formatPercent(v, 1) : formatStat(v)),
      ),
    ],
    scales: {
      x: { time: false },
      y: log
        ? { distr: 3, log: 10 }
        : clip
          ? {
              auto: true,
              // Recomputed from the data on every update, so new steps move the range too.
              range: (u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax =>
                clippedRange(u.data as AlignedColumns, skip) ?? [min, max],
            }
          : yRange
            ? { auto: false, range: [yRange[0], yRange[1]] }
            : percent
              ? {
                  auto: true,
                  range: (_u: uPlot, min: number | null, max: number | null) => percentRange(min, max),
                }
              : { auto: true },
    },
    axes: [
      {
        label: xLabel,
        stroke: colors.text,
        grid: { stroke: colors.grid },
        ticks: { stroke: colors.tick },
        // uPlot's own x labels stop at three decimals: a histogram of gates 0.0005 wide read
        // "0.5 0.5 0.5". Counted axes keep uPlot's labels (thousands separators). Labels with
        // more decimals are wider: ticks further apart keep them from running together.
        ...(integerX
          ? { incrs: INTEGER_INCREMENTS }
          : {
              space: 80,
              values: (
                _u: uPlot,
                splits: readonly (number | null)[],
                _axis: number,
                _space: number,
                incr: number,
              ) => splits.map((v) => formatTick(v, incr)),
            }),
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
      { label: xLabel },
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
