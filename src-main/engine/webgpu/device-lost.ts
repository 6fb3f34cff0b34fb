/// <reference types="@webgpu/types" />
/**
 * A GPU can be lost mid-run: a driver reset, a TDR on Windows, an eGPU unplugged, another process
 * taking the device. TF.js's webgpu backend then fails its next read with an empty message (or,
 * on some drivers, never settles it). The backend's device reports the loss through `device.lost`;
 * this module remembers it, so the trainer can end the run as `failed` with the reason instead of
 * a blank error, and races every read against it, so a read that would never settle cannot hang.
 */

/** Why the GPU went away, as the device said. */
export interface GpuLoss {
  /** 'destroyed' (the device was destroyed deliberately) or 'unknown' (driver reset, removal). */
  readonly reason: string;
  readonly message: string;
}

let lost: GpuLoss | undefined;
/** The reads waiting now: each is failed at once if the device goes. */
const waiting = new Set<(err: GpuDeviceLostError) => void>();

export class GpuDeviceLostError extends Error {
  constructor(readonly loss: GpuLoss) {
    super(
      `the GPU device was lost (${loss.reason}${loss.message ? `: ${loss.message}` : ''}); ` +
        'training cannot go on on it',
    );
    this.name = 'GpuDeviceLostError';
  }
}

/** Starts watching the device of TF.js's active webgpu backend (backend.ts calls it once set). */
export function watchWebGpuDevice(backend: unknown): void {
  const device = (backend as { device?: GPUDevice }).device;
  if (!device?.lost) return;
  lost = undefined;
  void device.lost.then((info) => {
    const loss = { reason: String(info.reason ?? 'unknown'), message: info.message ?? '' };
    lost = loss;
    for (const fail of [...waiting]) fail(new GpuDeviceLostError(loss));
  });
}

/** The loss of the watched device, if it has been lost. */
export function gpuLoss(): GpuLoss | undefined {
  return lost;
}

/** `read`, or a GpuDeviceLostError as soon as the device is lost, whichever comes first. */
export async function unlessGpuLost<T>(read: Promise<T>): Promise<T> {
  if (lost) {
    // The read will fail too (AbortError); it is answered here, so it must not go unhandled.
    read.catch(() => undefined);
    throw new GpuDeviceLostError(lost);
  }
  let fail: ((err: GpuDeviceLostError) => void) | undefined;
  const loss = new Promise<never>((_, reject) => (fail = reject));
  waiting.add(fail!);
  try {
    return await Promise.race([read, loss]);
  } catch (err) {
    // The read itself may fail first, with TF.js's blank error: name the loss if that was it.
    if (lost && !(err instanceof GpuDeviceLostError)) throw new GpuDeviceLostError(lost);
    throw err;
  } finally {
    waiting.delete(fail!);
  }
}
