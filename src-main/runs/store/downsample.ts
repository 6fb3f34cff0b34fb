/**
 * Downsampling of metric series for display. The store keeps every point; charts ask for at most
 * a few thousand, which is more than a chart's width in pixels.
 */
import type { DownsampleMethod, MetricPoint } from './types';

/**
 * Every k-th point, plus the last one so that the chart ends at the latest value. Returns at
 * most `maxPoints` points, in order.
 */
export function downsampleStride(points: readonly MetricPoint[], maxPoints: number): MetricPoint[] {
  const n = points.length;
  if (n <= maxPoints) return points.slice();
  if (maxPoints <= 0) return [];
  if (maxPoints === 1) return [points[n - 1]];
  const stride = Math.ceil((n - 1) / (maxPoints - 1));
  const out: MetricPoint[] = [];
  for (let i = 0; i < n - 1; i += stride) out.push(points[i]);
  out.push(points[n - 1]);
  return out;
}

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): keeps the first and last points and, from
 * each of `maxPoints - 2` equal buckets, the point forming the largest triangle with the point
 * kept before it and the mean of the next bucket. Unlike a stride it keeps spikes (a loss blowing
 * up for a few steps), which is what a researcher looks for. x is the step, y the value; a NaN
 * value never wins a bucket unless the whole bucket is NaN.
 */
export function downsampleLttb(points: readonly MetricPoint[], maxPoints: number): MetricPoint[] {
  const n = points.length;
  if (n <= maxPoints) return points.slice();
  if (maxPoints < 3) return downsampleStride(points, maxPoints);

  const out: MetricPoint[] = [points[0]];
  const bucketSize = (n - 2) / (maxPoints - 2);
  let kept = 0;

  for (let bucket = 0; bucket < maxPoints - 2; bucket++) {
    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.floor((bucket + 1) * bucketSize) + 1;

    // Mean of the next bucket (the last point for the last bucket), skipping NaN values.
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, n);
    let sumX = 0;
    let sumY = 0;
    let count = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      if (Number.isNaN(points[j].value)) continue;
      sumX += points[j].step;
      sumY += points[j].value;
      count++;
    }
    const meanX = count > 0 ? sumX / count : points[Math.min(nextStart, n - 1)].step;
    const meanY = count > 0 ? sumY / count : points[Math.min(nextStart, n - 1)].value;

    const a = points[kept];
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const p = points[j];
      const area = Math.abs((a.step - meanX) * (p.value - a.value) - (a.step - p.step) * (meanY - a.value));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(points[best]);
    kept = best;
  }

  out.push(points[n - 1]);
  return out;
}

export function downsample(
  points: readonly MetricPoint[],
  maxPoints: number,
  method: DownsampleMethod,
): MetricPoint[] {
  switch (method) {
    case 'lttb':
      return downsampleLttb(points, maxPoints);
    case 'stride':
      return downsampleStride(points, maxPoints);
    default: {
      const unknown: never = method;
      throw new Error(`unknown downsampling method ${String(unknown)}`);
    }
  }
}
