/**
 * Loads TF.js's webgpu backend on Dawn for backend selection (backend.ts): the package, then
 * Dawn and its adapters, then `navigator.gpu`. The backend itself is created by tf.setBackend.
 */
import { describeAdapter, installNavigatorGpu, probeWebGpu, type GpuAdapterSummary } from './adapters';

export interface WebGpuLoadProbe {
  available: boolean;
  reason?: string;
  note?: string;
  version?: string;
  adapters?: GpuAdapterSummary[];
  /** Only a software adapter: used when asked for by name, never automatically. */
  forcedOnly?: boolean;
}

/** `files`: what inspecting @tensorflow/tfjs-backend-webgpu's folder found (installed, version). */
export async function loadWebGpuBackend(files: WebGpuLoadProbe): Promise<WebGpuLoadProbe> {
  if (!files.available) return files;
  const probe = await probeWebGpu();
  if (!probe.ok) return { ...files, available: false, reason: probe.reason };
  const adapters = [...probe.adapters];
  try {
    await installNavigatorGpu();
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ...files, adapters, available: false, reason: `package failed to load: ${message}` };
  }
  const first = adapters[0];
  if (first.software) {
    return {
      ...files,
      adapters,
      forcedOnly: true,
      reason:
        `only a software adapter was found (${first.description.split(':')[0] || first.device}): a CPU emulating a GPU, ` +
        'slower than wasm, so never chosen automatically; --backend webgpu uses it',
    };
  }
  return { ...files, adapters, note: `on ${describeAdapter(first)}` };
}
