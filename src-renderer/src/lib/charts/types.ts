/** How a chart draws one of its curves. Colours are CSS colours. */
export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly width?: number;
  readonly dash?: readonly number[];
  /** Draw across missing points (an epoch curve between its epochs). */
  readonly spanGaps?: boolean;
  /** A histogram: each value holds until the next x (bin edges). */
  readonly stepped?: boolean;
  readonly fill?: string;
  /** Dots at the data points (sparse curves: one point per epoch). */
  readonly points?: boolean;
  /** Hidden in the plot and legend; used as the edge of a band. */
  readonly bandEdge?: boolean;
}

/** A filled area between two series, by their index in `series` (0-based). */
export interface ChartBand {
  readonly upper: number;
  readonly lower: number;
  readonly fill: string;
}

/** A palette that stays apart for up to eight runs and reads on white, in print and for most colour-blind eyes. */
export const PALETTE = [
  '#1d4f91',
  '#b35c00',
  '#1f7a45',
  '#8e3fa8',
  '#b42318',
  '#127d87',
  '#6b6b00',
  '#57606a',
] as const;

export function paletteColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

/** The same colour, translucent, for bands and fills. */
export function translucent(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  return `rgba(${parseInt(m[1]!, 16)}, ${parseInt(m[2]!, 16)}, ${parseInt(m[3]!, 16)}, ${alpha})`;
}
