/**
 * Loads TF.js's webgpu backend on Dawn for backend selection (backend.ts): the package, then
 * Dawn and its adapters, then `navigator.gpu`. The backend itself is created by tf.setBackend.
 */
import fs from 'node:fs';
import type { BackendProbe } from '../backend-packages';
import { describeAdapter, installNavigatorGpu, probeWebGpu } from './adapters';

/**
 * On Linux a hardware Vulkan driver needs a device node: a DRM render node (Mesa's radeon, intel,
 * nouveau), NVIDIA's /dev/nvidia*, or WSL2's /dev/dxg. Without one only a software adapter can
 * exist, and loading Dawn to find it costs ~0.1 s and prints Dawn's warnings about lavapipe's
 * limits on every command, so the automatic choice does not look. Elsewhere: undefined (probe).
 */
export function noGpuDeviceNode(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const has = (dir: string, pattern: RegExp) => {
    try {
      return fs.readdirSync(dir).some((f) => pattern.test(f));
    } catch {
      return false;
    }
  };
  if (has('/dev/dri', /^renderD\d+$/) || has('/dev', /^(nvidia\d+|dxg)$/)) return undefined;
  return (
    'no GPU device node (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg), so no hardware adapter can ' +
    'exist; --backend webgpu uses a software one (Mesa lavapipe) if installed'
  );
}

/** `files`: what inspecting @tensorflow/tfjs-backend-webgpu's folder found (installed, version). */
export async function loadWebGpuBackend(files: BackendProbe, opts: { look: boolean }): Promise<BackendProbe> {
  if (!files.available) return files;
  const none = opts.look ? undefined : noGpuDeviceNode();
  if (none) return { ...files, available: false, notProbed: true, reason: none };
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
