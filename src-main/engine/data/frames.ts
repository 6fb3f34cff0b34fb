/**
 * Events to frames, as the reference's CIFAR10-DVS pipeline builds them.
 *
 * 1. SpikingJelly `integrate_events_by_fixed_frames_number(split_by='number')`:
 *    with N events and T frames, di = floor(N / T); frame i takes events
 *    [i*di, (i+1)*di) and the last frame takes [(T-1)*di, N) (so it also gets
 *    the N mod T leftover events). Each frame has 2 channels (channel = p) and
 *    counts events per pixel.
 * 2. GLIF's cifar10dvs/train.py then applies torchvision `Resize([48, 48])` to
 *    the [T, 2, 128, 128] tensor. On tensors, torchvision before 0.17 (the
 *    reference dates from 2022) calls F.interpolate(mode='bilinear',
 *    align_corners=False) with no antialiasing; we compute exactly that
 *    (half-pixel source coordinates clamped at 0, no low-pass filter), in
 *    float64, stored as float32.
 */
import type { DvsEvents } from './aedat';

/** [T, 2, H, W] event counts, split by event number. */
export function integrateByNumber(
  ev: DvsEvents,
  timeSteps: number,
  height: number,
  width: number,
): Float32Array {
  const plane = height * width;
  const frames = new Float32Array(timeSteps * 2 * plane);
  const di = Math.floor(ev.count / timeSteps);
  for (let t = 0; t < timeSteps; t++) {
    const from = t * di;
    const to = t === timeSteps - 1 ? ev.count : from + di;
    const base = t * 2 * plane;
    for (let k = from; k < to; k++) {
      frames[base + ev.p[k] * plane + ev.y[k] * width + ev.x[k]] += 1;
    }
  }
  return frames;
}

/** Per output coordinate: the two source coordinates and their weights (torch, align_corners=False). */
export interface AxisWeights {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w0: Float64Array;
  readonly w1: Float64Array;
}

export function bilinearAxis(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w0 = new Float64Array(outSize);
  const w1 = new Float64Array(outSize);
  for (let d = 0; d < outSize; d++) {
    const src = Math.max(scale * (d + 0.5) - 0.5, 0);
    const lo = Math.floor(src);
    const lambda = Math.min(Math.max(src - lo, 0), 1);
    i0[d] = lo;
    i1[d] = lo < inSize - 1 ? lo + 1 : lo;
    w0[d] = 1 - lambda;
    w1[d] = lambda;
  }
  return { i0, i1, w0, w1 };
}

/**
 * Resizes `planes` channel planes of inH x inW (planar, [P, inH, inW]) to
 * outH x outW and writes them interleaved as [outH, outW, P] (channel-last)
 * into `dst` at `dstOff`.
 */
export function resizeBilinearToHwc(
  src: Float32Array,
  srcOff: number,
  planes: number,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
  dst: Float32Array,
  dstOff: number,
  rows: AxisWeights = bilinearAxis(inH, outH),
  cols: AxisWeights = bilinearAxis(inW, outW),
): void {
  for (let c = 0; c < planes; c++) {
    const base = srcOff + c * inH * inW;
    for (let r = 0; r < outH; r++) {
      const row0 = base + rows.i0[r] * inW;
      const row1 = base + rows.i1[r] * inW;
      const h0 = rows.w0[r];
      const h1 = rows.w1[r];
      for (let q = 0; q < outW; q++) {
        const a = cols.i0[q];
        const b = cols.i1[q];
        const top = cols.w0[q] * src[row0 + a] + cols.w1[q] * src[row0 + b];
        const bottom = cols.w0[q] * src[row1 + a] + cols.w1[q] * src[row1 + b];
        dst[dstOff + (r * outW + q) * planes + c] = h0 * top + h1 * bottom;
      }
    }
  }
}

/**
 * One sample's frames as stored and fed to the model: [T, size, size, 2],
 * counts per pixel resized to `size` x `size`.
 */
export function eventsToFrames(ev: DvsEvents, timeSteps: number, sensor: number, size: number): Float32Array {
  const counts = integrateByNumber(ev, timeSteps, sensor, sensor);
  const out = new Float32Array(timeSteps * size * size * 2);
  const rows = bilinearAxis(sensor, size);
  const cols = bilinearAxis(sensor, size);
  const inFrame = 2 * sensor * sensor;
  const outFrame = size * size * 2;
  for (let t = 0; t < timeSteps; t++) {
    resizeBilinearToHwc(counts, t * inFrame, 2, sensor, sensor, size, size, out, t * outFrame, rows, cols);
  }
  return out;
}
