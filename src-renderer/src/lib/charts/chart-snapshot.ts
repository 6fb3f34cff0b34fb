/**
 * What a uPlot chart shows, read off the drawn plot: the plot box, the ticks with their labels
 * and every curve in CSS pixels. The SVG and PNG exports are written from this snapshot, so they
 * show the zoom and scales on screen.
 */
import uPlot from 'uplot';
import type { ChartSnapshot, ChartSnapshotSeries, ChartTick } from './chart-svg';
import type { ChartBand, ChartSeries } from './types';

/** What the chart component was asked to draw. */
export interface ChartView {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly bands: readonly ChartBand[];
}

/** What is on screen, in CSS pixels inside the plot box. */
export function snapshotChart(u: uPlot, view: ChartView): ChartSnapshot {
  const { title, xLabel, yLabel, series, bands } = view;
  const ratio = uPlot.pxRatio || 1;
  const box = {
    left: u.bbox.left / ratio,
    top: u.bbox.top / ratio,
    width: u.bbox.width / ratio,
    height: u.bbox.height / ratio,
  };
  type AxisInternals = { _splits?: number[] | null; _values?: string[] | null };
  const ticks = (axisIndex: number, scale: string): ChartTick[] => {
    const axis = u.axes[axisIndex] as unknown as AxisInternals;
    const splits = axis._splits ?? [];
    const labels = axis._values ?? [];
    return splits
      .map((v, i) => ({
        pos: scale === 'x' ? u.valToPos(v, 'x') : u.valToPos(v, 'y'),
        label: labels[i] ?? String(v),
      }))
      .filter((t) => Number.isFinite(t.pos));
  };
  const data = u.data;
  const xs = data[0] as ArrayLike<number>;
  const pixelLines = (i: number, spanGaps: boolean, stepped: boolean) => {
    const ys = data[i + 1] as ArrayLike<number | null | undefined>;
    const lines: Array<Array<readonly [number, number]>> = [];
    let current: Array<readonly [number, number]> = [];
    for (let k = 0; k < xs.length; k++) {
      const y = ys[k];
      if (y === null || y === undefined || !Number.isFinite(y)) {
        if (!spanGaps && current.length > 0) {
          lines.push(current);
          current = [];
        }
        continue;
      }
      const px = u.valToPos(xs[k]!, 'x');
      const py = u.valToPos(y, 'y');
      const prev = current[current.length - 1];
      if (stepped && prev) current.push([px, prev[1]]);
      current.push([px, py]);
    }
    if (current.length > 0) lines.push(current);
    return lines;
  };
  const snapSeries: ChartSnapshotSeries[] = [];
  series.forEach((s, i) => {
    if (s.bandEdge) return;
    const lines = pixelLines(i, s.spanGaps ?? false, s.stepped ?? false);
    const fills = s.fill
      ? lines.map((l) => [...l, [l[l.length - 1]![0], box.height] as const, [l[0]![0], box.height] as const])
      : [];
    snapSeries.push({
      // An unlisted series (a raw line behind its smoothed one) is drawn but, as on screen, not
      // named in the legend; the SVG writer leaves unlabelled series out of it.
      label: s.unlisted ? '' : s.label,
      color: s.color,
      width: s.width ?? 1.5,
      dash: s.dash ?? [],
      lines,
      fills,
      fillColor: s.fill ?? s.color,
    });
  });
  for (const band of bands) {
    const upper = pixelLines(band.upper, true, false).flat();
    const lower = pixelLines(band.lower, true, false).flat();
    if (upper.length > 1 && lower.length > 1) {
      snapSeries.unshift({
        label: '',
        color: 'transparent',
        width: 0,
        lines: [],
        fills: [[...upper, ...lower.reverse()]],
        fillColor: band.fill,
      });
    }
  }
  return {
    title,
    xLabel,
    yLabel,
    plot: box,
    xTicks: ticks(0, 'x'),
    yTicks: ticks(1, 'y'),
    series: snapSeries.filter((s) => s.label !== '' || (s.fills?.length ?? 0) > 0),
  };
}
