/**
 * A tooltip that follows the cursor over a uPlot chart: the x value in the axis's unit and each
 * named series' value there, in the chart's own number format. uPlot's legend shows the same values, but below the
 * chart, where the eye is not; with the crosshair synchronised across a page's charts (cursor
 * sync), every chart shows its tooltip at the same step.
 */
import type uPlot from 'uplot';
import { tooltipContent, type TooltipSeries } from '../charts/tooltip-content';

/** The plugin: one absolutely positioned box inside the plot's overlay, kept inside it. */
export function tooltipPlugin(
  xLabel: string,
  xText: (u: uPlot, x: number) => string,
  series: readonly TooltipSeries[],
  format: (v: number) => string,
): uPlot.Plugin {
  let box: HTMLDivElement | null = null;
  const hide = () => {
    if (box) box.style.display = 'none';
  };
  return {
    hooks: {
      init: [
        (u: uPlot) => {
          box = document.createElement('div');
          box.className = 'chart-tooltip';
          box.setAttribute('role', 'status');
          box.style.display = 'none';
          u.over.append(box);
          u.over.addEventListener('mouseleave', hide);
        },
      ],
      setCursor: [
        (u: uPlot) => {
          const idx = u.cursor.idx;
          const left = u.cursor.left ?? -1;
          const top = u.cursor.top ?? -1;
          if (!box || idx === null || idx === undefined || left < 0) return hide();
          const x = u.data[0][idx];
          if (x === undefined) return hide();
          const content = tooltipContent(
            xLabel,
            xText(u, x),
            series,
            series.map((_, i) => u.data[i + 1]?.[idx]),
            format,
          );
          if (!content) return hide();
          box.replaceChildren();
          const head = document.createElement('div');
          head.className = 'chart-tooltip-title';
          head.textContent = content.title;
          box.append(head);
          for (const row of content.rows) {
            const line = document.createElement('div');
            const swatch = document.createElement('span');
            swatch.className = 'chart-tooltip-swatch';
            swatch.style.background = row.color;
            line.append(swatch, `${row.label}: ${row.value}`);
            box.append(line);
          }
          box.style.display = 'block';
          // A synced chart's cursor has no y of its own (top < 0): the box then sits at the top.
          const width = box.offsetWidth;
          const overWidth = u.over.clientWidth;
          const placeLeft = left + 12 + width > overWidth ? Math.max(0, left - 12 - width) : left + 12;
          box.style.left = `${placeLeft}px`;
          box.style.top = `${Math.max(0, top >= 0 ? top + 12 : 4)}px`;
        },
      ],
      destroy: [
        (u: uPlot) => {
          u.over.removeEventListener('mouseleave', hide);
          box?.remove();
          box = null;
        },
      ],
    },
  };
}
