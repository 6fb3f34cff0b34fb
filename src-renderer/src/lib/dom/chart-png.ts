/**
 * A chart's PNG, drawn from its SVG export: the same layout (a legend that wraps and never gets
 * cut off) at any scale, with lines and text drawn at that resolution instead of a screen
 * canvas stretched. `scale` 2 gives twice the pixels per side, for print and slides.
 */
import type { ChartSvg } from '../charts/chart-svg';

export const PNG_SCALES = [1, 2] as const;
export type PngScale = (typeof PNG_SCALES)[number];

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('the chart image could not be drawn'));
    image.src = url;
  });
}

export async function svgToPng(chart: ChartSvg, scale: PngScale): Promise<Blob> {
  // A blob: URL is same-origin: drawing it leaves the canvas readable (a tainted one has no toBlob).
  const url = URL.createObjectURL(new Blob([chart.svg], { type: 'image/svg+xml' }));
  try {
    const image = await loadImage(url);
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(chart.width * scale);
    canvas.height = Math.round(chart.height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas to draw the chart on');
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error('the PNG could not be encoded'))),
        'image/png',
      ),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}
