/**
 * A parallel-coordinates chart as a standalone SVG file, drawn from the same geometry as the
 * screen (parallel-coords.ts): the axes in their order, the brushed ranges, runs outside them
 * faded, and a legend of the runs below that wraps as the line charts' does. Light colours
 * whatever the theme: exports go into papers and slides.
 */
import { escapeXml, LEGEND_FONT_SIZE, LEGEND_ROW, type ChartSvg } from './chart-svg';
import { estimateTextWidth, layoutLegend, LEGEND_SWATCH } from './legend-layout';
import {
  positionY,
  TICK_FONT,
  TITLE_FONT,
  type Brush,
  type ParallelAxis,
  type ParallelLayout,
} from './parallel-coords';

export interface ParallelSvgInput {
  readonly title: string;
  readonly axes: readonly ParallelAxis[];
  readonly layout: ParallelLayout;
  /** Per run, in the axes' run order. */
  readonly polylines: readonly string[];
  readonly colors: readonly string[];
  readonly within: readonly boolean[];
  readonly labels: readonly string[];
  readonly brushes: Readonly<Record<string, Brush>>;
}

const TITLE_HEIGHT = 28;
const num = (v: number) => (Math.round(v * 100) / 100).toString();

export function renderParallelSvg(input: ParallelSvgInput): ChartSvg {
  const { layout, axes } = input;
  const width = Math.ceil(Math.max(layout.width, estimateTextWidth(input.title, 14) + 24));
  const legend = layoutLegend(input.labels, width - 24, (text) => estimateTextWidth(text, LEGEND_FONT_SIZE));
  const legendTop = TITLE_HEIGHT + layout.height + 18;
  const height = Math.ceil(legendTop + LEGEND_ROW * legend.rows + 6);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="${TICK_FONT}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="19" font-size="14" font-weight="600" fill="#161b22">${escapeXml(input.title)}</text>`,
    `<g transform="translate(0,${TITLE_HEIGHT})">`,
  ];
  // Faded runs first, so the runs within the brushes are drawn over them.
  const order = input.polylines
    .map((_, i) => i)
    .sort((a, b) => Number(input.within[a]) - Number(input.within[b]));
  for (const i of order) {
    const within = input.within[i] ?? true;
    // Faded runs in grey, as on screen: a faint run colour reads as a colour of its own.
    const stroke = within ? escapeXml(input.colors[i] ?? '#57606a') : '#b9c0ca';
    out.push(
      `<polyline class="${within ? 'run' : 'run faded'}" points="${input.polylines[i]}" fill="none" stroke="${stroke}" stroke-width="${within ? 2 : 1.25}" stroke-opacity="${within ? 0.9 : 0.7}" stroke-linejoin="round"/>`,
    );
  }
  axes.forEach((axis, a) => {
    const x = layout.xs[a] ?? 0;
    out.push(
      `<line x1="${num(x)}" x2="${num(x)}" y1="${num(layout.top)}" y2="${num(layout.bottom)}" stroke="#57606a" stroke-width="1"/>`,
    );
    const brush = input.brushes[axis.key];
    if (brush) {
      const y0 = positionY(layout, brush.hi);
      out.push(
        `<rect x="${num(x - 7)}" y="${num(y0)}" width="14" height="${num(positionY(layout, brush.lo) - y0)}" fill="#1d4f91" fill-opacity="0.18" stroke="#1d4f91"/>`,
      );
    }
    for (const tick of layout.ticks[a] ?? []) {
      out.push(
        `<line x1="${num(x - 3)}" x2="${num(x)}" y1="${num(tick.y - 4)}" y2="${num(tick.y - 4)}" stroke="#57606a"/>`,
        `<text x="${num(tick.x)}" y="${num(tick.y)}" text-anchor="end" fill="#57606a" stroke="#ffffff" stroke-width="3" paint-order="stroke">${escapeXml(tick.text)}</text>`,
      );
    }
    if (layout.missingY !== null && axis.positions.some((p) => p === null)) {
      out.push(
        `<text x="${num(x)}" y="${num(layout.missingY + 12)}" text-anchor="middle" fill="#6e7781" font-style="italic">no value</text>`,
      );
    }
    const title = layout.titles[a];
    if (title)
      out.push(
        `<text class="axis-title" x="${num(title.x)}" y="${num(title.y)}" text-anchor="middle" font-size="${TITLE_FONT}" font-weight="600" fill="#161b22">${escapeXml(title.text)}</text>`,
      );
  });
  out.push(`</g>`);
  for (const entry of legend.entries) {
    const x = 12 + entry.x;
    const y = legendTop + entry.row * LEGEND_ROW;
    out.push(
      `<line x1="${num(x)}" x2="${num(x + 18)}" y1="${y - 4}" y2="${y - 4}" stroke="${escapeXml(input.colors[entry.index] ?? '#57606a')}" stroke-width="2"/>`,
    );
    entry.lines.forEach((line, i) =>
      out.push(
        `<text class="legend" x="${num(x + LEGEND_SWATCH)}" y="${y + i * LEGEND_ROW}" fill="#161b22">${escapeXml(line)}</text>`,
      ),
    );
  }
  out.push(`</svg>`);
  return { svg: out.join('\n'), width, height };
}
