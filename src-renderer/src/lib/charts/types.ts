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
  /** Drawn (the raw line behind a smoothed one) but without a legend entry of its own. */
  readonly unlisted?: boolean;
}

/** A filled area between two series, by their index in `series` (0-based). */
export interface ChartBand {
  readonly upper: number;
  readonly lower: number;
  readonly fill: string;
}

/**
 * Twenty colours that stay apart (pairwise CIELAB ΔE ≥ 20) and read on white (contrast ≥ 3:1), so
 * that a comparison of up to twenty runs never repeats one. The first eight also stay apart in
 * print and for most colour-blind eyes; the rest were picked greedily for the largest distance
 * to those before them, among muted colours (no neon), so they come later.
 */
export const PALETTE = [
  '#1d4f91',
  '#b35c00',
  '#1f7a45',
  '#8e3fa8',
  '#b42318',
  '#127d87',
  '#6b6b00',
  '#57606a',
  '#ee4488',
  '#772244',
  '#bb7766',
  '#6688ff',
  '#aa88bb',
  '#559911',
  '#554422',
  '#889977',
  '#0099dd',
  '#773311',
  '#dd66bb',
  '#ee6666',
] as const;

export function paletteColor(index: number): string {
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

/** The same colour, translucent, for bands and fills. */
export function translucent(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  return `rgba(${parseInt(m[1]!, 16)}, ${parseInt(m[2]!, 16)}, ${parseInt(m[3]!, 16)}, ${alpha})`;
}
