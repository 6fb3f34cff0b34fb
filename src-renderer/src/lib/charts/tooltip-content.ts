/**
 * What a chart's cursor tooltip says (the x value and each named series' value there), apart from
 * the DOM plugin that shows it (dom/chart-tooltip.ts), so it is unit-tested under Node.
 */
export interface TooltipRow {
  readonly label: string;
  readonly color: string;
  readonly value: string;
}

export interface TooltipContent {
  readonly title: string;
  readonly rows: readonly TooltipRow[];
}

export interface TooltipSeries {
  readonly label: string;
  readonly color: string;
  /** Not named in the tooltip (band edges, raw lines behind smoothed ones). */
  readonly hidden: boolean;
}

/**
 * What the tooltip says at one x (`xText`, written in the axis's unit: a step, a duration, a clock
 * time): series without a value there are left out, so a per-epoch curve only speaks at its
 * epochs. Pure, for unit tests.
 */
export function tooltipContent(
  xLabel: string,
  xText: string,
  series: readonly TooltipSeries[],
  values: readonly (number | null | undefined)[],
  format: (v: number) => string,
): TooltipContent | null {
  const rows: TooltipRow[] = [];
  series.forEach((s, i) => {
    const v = values[i];
    if (s.hidden || v === null || v === undefined || !Number.isFinite(v)) return;
    rows.push({ label: s.label, color: s.color, value: format(v) });
  });
  if (rows.length === 0) return null;
  return { title: `${xLabel} ${xText}`, rows };
}
