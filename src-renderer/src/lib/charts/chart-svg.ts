/**
 * A drawn chart as a standalone SVG file. The chart component takes a snapshot of what uPlot
 * drew (plot box, tick positions and labels, series in pixel coordinates); this module only
 * writes it out, so the export shows exactly the zoom and scales on screen. The legend wraps
 * into as many rows as its labels need and the image grows to hold them (legend-layout.ts).
 */
import { estimateTextWidth, layoutLegend, LEGEND_SWATCH } from './legend-layout';

export interface ChartTick {
  /** Position in CSS pixels inside the plot box. */
  readonly pos: number;
  readonly label: string;
}

export interface ChartSnapshotSeries {
  readonly label: string;
  readonly color: string;
  readonly dash?: readonly number[];
  readonly width: number;
  /** Polylines in CSS pixels inside the plot box; a gap starts a new polyline. */
  readonly lines: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  /** Area under/between curves, closed polygons in CSS pixels inside the plot box. */
  readonly fills?: ReadonlyArray<ReadonlyArray<readonly [number, number]>>;
  readonly fillColor?: string;
}

export interface ChartSnapshot {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** The plot box: where x=0/y=0 of series coordinates are, and its size, in CSS pixels. */
  readonly plot: {
    readonly left: number;
    readonly top: number;
    readonly width: number;
    readonly height: number;
  };
  readonly xTicks: readonly ChartTick[];
  readonly yTicks: readonly ChartTick[];
  readonly series: readonly ChartSnapshotSeries[];
}

const MARGIN = { top: 36, right: 24, bottom: 52, left: 72 };
export const LEGEND_ROW = 18;
export const LEGEND_FONT_SIZE = 11;
const TITLE_FONT_SIZE = 14;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const num = (v: number) => (Math.round(v * 100) / 100).toString();

function pointsAttr(points: ReadonlyArray<readonly [number, number]>): string {
  return points.map(([x, y]) => `${num(x)},${num(y)}`).join(' ');
}

export interface ChartSvg {
  readonly svg: string;
  /** Size of the image in CSS pixels (what a PNG at 1x has). */
  readonly width: number;
  readonly height: number;
}

export function chartToSvg(s: ChartSnapshot): string {
  return renderChartSvg(s).svg;
}

export function renderChartSvg(s: ChartSnapshot): ChartSvg {
  const { width: pw, height: ph } = s.plot;
  const ox = MARGIN.left;
  const oy = MARGIN.top;
  // A long title widens the image rather than running off its edge.
  const width = Math.ceil(
    Math.max(ox + pw + MARGIN.right, ox + estimateTextWidth(s.title, TITLE_FONT_SIZE) + MARGIN.right),
  );
  // Band fills have no label and no legend entry.
  const legendSeries = s.series.filter((series) => series.label !== '');
  const legend = layoutLegend(
    legendSeries.map((series) => series.label),
    width - ox - MARGIN.right,
    (text) => estimateTextWidth(text, LEGEND_FONT_SIZE),
  );
  const height = Math.ceil(MARGIN.top + ph + MARGIN.bottom + LEGEND_ROW * legend.rows);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="${LEGEND_FONT_SIZE}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${ox}" y="20" font-size="${TITLE_FONT_SIZE}" font-weight="600" fill="#161b22">${escapeXml(s.title)}</text>`,
    `<g transform="translate(${ox},${oy})">`,
  );
  for (const t of s.yTicks) {
    out.push(
      `<line x1="0" x2="${num(pw)}" y1="${num(t.pos)}" y2="${num(t.pos)}" stroke="#d8dce2" stroke-width="1"/>`,
      `<text x="-6" y="${num(t.pos + 4)}" text-anchor="end" fill="#57606a">${escapeXml(t.label)}</text>`,
    );
  }
  for (const t of s.xTicks) {
    out.push(
      `<line x1="${num(t.pos)}" x2="${num(t.pos)}" y1="0" y2="${num(ph)}" stroke="#eef0f3" stroke-width="1"/>`,
      `<text x="${num(t.pos)}" y="${num(ph + 16)}" text-anchor="middle" fill="#57606a">${escapeXml(t.label)}</text>`,
    );
  }
  out.push(`<rect x="0" y="0" width="${num(pw)}" height="${num(ph)}" fill="none" stroke="#b9c0ca"/>`);
  out.push(`<clipPath id="plot-area"><rect x="0" y="0" width="${num(pw)}" height="${num(ph)}"/></clipPath>`);
  out.push(`<g clip-path="url(#plot-area)">`);
  for (const series of s.series) {
    for (const polygon of series.fills ?? []) {
      if (polygon.length > 2)
        out.push(
          `<polygon points="${pointsAttr(polygon)}" fill="${escapeXml(series.fillColor ?? series.color)}" stroke="none"/>`,
        );
    }
    const dash = series.dash && series.dash.length > 0 ? ` stroke-dasharray="${series.dash.join(' ')}"` : '';
    for (const line of series.lines) {
      if (line.length === 1) {
        const [x, y] = line[0]!;
        out.push(`<circle cx="${num(x)}" cy="${num(y)}" r="2.5" fill="${escapeXml(series.color)}"/>`);
      } else if (line.length > 1) {
        out.push(
          `<polyline points="${pointsAttr(line)}" fill="none" stroke="${escapeXml(series.color)}" stroke-width="${series.width}"${dash} stroke-linejoin="round"/>`,
        );
      }
    }
  }
  out.push(`</g>`);
  out.push(
    `<text x="${num(pw / 2)}" y="${num(ph + 36)}" text-anchor="middle" fill="#161b22">${escapeXml(s.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(-54,${num(ph / 2)}) rotate(-90)" text-anchor="middle" fill="#161b22">${escapeXml(s.yLabel)}</text>`,
  );
  out.push(`</g>`);
  for (const entry of legend.entries) {
    const series = legendSeries[entry.index]!;
    const x = ox + entry.x;
    const y = oy + ph + MARGIN.bottom + entry.row * LEGEND_ROW;
    const dash = series.dash && series.dash.length > 0 ? ` stroke-dasharray="${series.dash.join(' ')}"` : '';
    out.push(
      `<line x1="${num(x)}" x2="${num(x + 18)}" y1="${y - 4}" y2="${y - 4}" stroke="${escapeXml(series.color)}" stroke-width="2"${dash}/>`,
    );
    entry.lines.forEach((line, i) => {
      out.push(
        `<text class="legend" x="${num(x + LEGEND_SWATCH)}" y="${y + i * LEGEND_ROW}" fill="#161b22">${escapeXml(line)}</text>`,
      );
    });
  }
  out.push(`</svg>`);
  return { svg: out.join('\n'), width, height };
}
