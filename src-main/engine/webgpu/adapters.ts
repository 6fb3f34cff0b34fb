/// <reference types="@webgpu/types" />
/**
 * WebGPU in Node through Dawn (the `webgpu` npm package: a prebuilt `dawn.node` per platform,
 * nothing downloaded at install). It needs only the graphics driver's Vulkan (Linux), Metal (macOS)
 * or D3D12 (Windows), where tfjs-node-gpu needs one exact CUDA and cuDNN.
 *
 * This module finds the adapters and installs `navigator.gpu` for @tensorflow/tfjs-backend-webgpu,
 * which asks `navigator.gpu.requestAdapter()` for its device when it is set as the backend.
 */
import { createRequire } from 'node:module';

/** What a WebGPU adapter says about itself; stored with a run that trained on it. */
export interface GpuAdapterSummary {
  /** e.g. 'nvidia', 'amd', 'intel', 'apple', 'mesa'. */
  readonly vendor: string;
  /** e.g. 'ampere', 'rdna-3', 'gen-12lp'; 'software' for a CPU rasteriser. */
  readonly architecture: string;
  readonly device: string;
  /** The driver's own words, e.g. 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)'. */
  readonly description: string;
  /**
   * A CPU emulating a GPU (Mesa's llvmpipe, SwiftShader, WARP): correct but slower than our wasm
   * kernels, so never chosen automatically.
   */
  readonly software: boolean;
}

/** What loading WebGPU found: the adapters (first = the one TF.js will use) or why there are none. */
export type WebGpuProbe =
  | { readonly ok: true; readonly adapters: readonly GpuAdapterSummary[] }
  | { readonly ok: false; readonly reason: string };

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|softpipe|microsoft basic render|warp/i;

/** Whether an adapter is a software rasteriser, from what it reports. */
export function isSoftwareAdapter(info: {
  architecture?: string;
  description?: string;
  device?: string;
  isFallbackAdapter?: boolean;
}): boolean {
  return (
    info.isFallbackAdapter === true ||
    info.architecture?.toLowerCase() === 'software' ||
    SOFTWARE_NAMES.test(`${info.description ?? ''} ${info.device ?? ''}`)
  );
}

/** How an adapter reads in a log line, a run's page or `glif info`. */
export function describeAdapter(a: GpuAdapterSummary): string {
  const name = a.description || a.device || 'unnamed adapter';
  const parts = [a.vendor, a.architecture].filter((p) => p !== '');
  if (a.software && a.architecture !== 'software') parts.push('software');
  return `${name}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

interface DawnModule {
  create(options: string[]): GPU;
  globals: object;
}

interface LoadedGpu {
  readonly gpu: GPU;
  readonly adapters: readonly GpuAdapterSummary[];
}

// One Dawn instance per process: the backend and every later probe share it.
let loaded: Promise<LoadedGpu | { error: string }> | undefined;

const nodeRequire = createRequire(import.meta.url);

async function loadDawn(): Promise<LoadedGpu | { error: string }> {
  let dawn: DawnModule;
  try {
    // `webgpu` is ESM with a CommonJS-free entry; import() works from both bundles and tsx.
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const missing = /Cannot find (?:package|module) 'webgpu'/.test(message);
    return {
      error: missing ? 'package not installed (npm install webgpu)' : `dawn.node failed to load: ${message}`,
    };
  }
  // GPUBufferUsage, GPUShaderStage, ...: the constants TF.js's webgpu backend reads from globalThis.
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  const adapters: GpuAdapterSummary[] = [];
  // WebGPU hands out one adapter per request; asking with each preference finds a discrete GPU,
  // an integrated one and a fallback where a machine has them. The first is TF.js's choice
  // (it asks for 'high-performance').
  for (const options of [
    { powerPreference: 'high-performance' },
    { powerPreference: 'low-power' },
    { forceFallbackAdapter: true },
  ] as const) {
    let adapter: GPUAdapter | null = null;
    try {
      adapter = await gpu.requestAdapter(options);
    } catch {
      adapter = null;
    }
    if (!adapter) continue;
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const summary: GpuAdapterSummary = {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
      software: isSoftwareAdapter(info),
    };
    const same = adapters.some(
      (a) =>
        a.vendor === summary.vendor && a.device === summary.device && a.description === summary.description,
    );
    if (!same) adapters.push(summary);
  }
  return { gpu, adapters };
}

/** Loads Dawn once and lists the adapters it finds (never throws). */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  loaded ??= loadDawn();
  const r = await loaded;
  if ('error' in r) return { ok: false, reason: r.error };
  if (r.adapters.length === 0) {
    return {
      ok: false,
      reason:
        'no WebGPU adapter: Dawn found no Vulkan/Metal/D3D12 device (on Linux: install libvulkan1 and ' +
        "the GPU's Vulkan driver; Debian 12's own Mesa is too old for Dawn, use bookworm-backports)",
    };
  }
  return { ok: true, adapters: r.adapters };
}

/**
 * Gives this process `navigator.gpu` (Node 20 has no navigator; Node 21+ and Electron have one
 * without `gpu`), so that @tensorflow/tfjs-backend-webgpu finds Dawn. Call after probeWebGpu.
 */
export async function installNavigatorGpu(): Promise<void> {
  loaded ??= loadDawn();
  const r = await loaded;
  if ('error' in r) throw new Error(r.error);
  const g = globalThis as { navigator?: object };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: r.gpu },
      configurable: true,
      writable: true,
    });
  } else if (!('gpu' in g.navigator) || (g.navigator as { gpu?: unknown }).gpu !== r.gpu) {
    Object.defineProperty(g.navigator, 'gpu', { value: r.gpu, configurable: true });
  }
}

/** The installed version of the `webgpu` package, when there is one. */
export function webgpuPackageVersion(): string | undefined {
  try {
    const pkg = nodeRequire('webgpu/package.json') as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}
