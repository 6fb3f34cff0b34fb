/** The New-run form's Compute backend choices (lib/state/backend-options.ts). */
import { describe, expect, it } from 'vitest';
import type { BackendAvailability } from '../../src-renderer/src/lib/api/contract';
import { BACKEND_NAMES } from '../../src-main/contract/backends';
import {
  BACKEND_NAMES as RENDERER_BACKEND_NAMES,
  backendChoices,
  backendNameOf,
} from '../../src-renderer/src/lib/state/backend-options';

const LLVMPIPE = {
  vendor: 'mesa',
  architecture: 'software',
  device: 'llvmpipe-llvm-15',
  description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)',
  software: true,
};

const none = { byNameOnly: false, reason: null, note: null, adapter: null };

/** This machine's answer: no native TensorFlow, WebGPU only on Mesa's software rasteriser. */
const HERE: BackendAvailability = {
  defaultBackend: 'wasm',
  hostDefault: false,
  options: [
    { ...none, name: 'tensorflow-gpu', usable: false, reason: 'package not installed' },
    {
      ...none,
      name: 'webgpu',
      usable: true,
      byNameOnly: true,
      reason: 'only a software adapter was found (llvmpipe): slower than wasm',
      adapter: LLVMPIPE,
    },
    {
      ...none,
      name: 'tensorflow',
      usable: false,
      reason: 'native load failed: ' + 'x'.repeat(200),
    },
    { ...none, name: 'wasm', usable: true },
    { ...none, name: 'cpu', usable: true },
  ],
};

describe('backendChoices', () => {
  it('lists the same names as the contract, fastest first', () => {
    expect(RENDERER_BACKEND_NAMES).toEqual(BACKEND_NAMES);
  });

  it('labels each backend with whether this host can use it, and why not', () => {
    const choices = backendChoices(HERE);
    expect(choices.map((c) => [c.value, c.label, c.unusable])).toEqual([
      [null, 'Automatic (best available: wasm)', false],
      ['tensorflow-gpu', 'TensorFlow CUDA (tensorflow-gpu) — not available: package not installed', true],
      ['webgpu', 'WebGPU — software adapter (llvmpipe): slower than wasm', false],
      [
        'tensorflow',
        `TensorFlow native CPU (tensorflow) — not available: native load failed: ${'x'.repeat(49)}…`,
        true,
      ],
      ['wasm', 'WebAssembly (wasm) — available', false],
      ['cpu', 'Plain JavaScript (cpu) — available', false],
    ]);
    // A long reason is cut to 70 characters in the label; the full one is kept for the hint below.
    expect(choices[3]!.detail).toBe(HERE.options[2]!.reason);
  });

  it("names the host's default, and offers bare names while the host has not answered", () => {
    expect(backendChoices({ ...HERE, defaultBackend: 'cpu', hostDefault: true })[0]!.label).toBe(
      "Automatic (this host's default: cpu)",
    );
    expect(backendChoices(null).map((c) => c.label)).toEqual([
      'Automatic (best available)',
      'TensorFlow CUDA (tensorflow-gpu)',
      'WebGPU (webgpu)',
      'TensorFlow native CPU (tensorflow)',
      'WebAssembly (wasm)',
      'Plain JavaScript (cpu)',
    ]);
  });

  it("prefills a run's stored request only when it is a known name", () => {
    expect(backendNameOf('cpu')).toBe('cpu');
    expect(backendNameOf(null)).toBeNull();
    expect(backendNameOf('quantum')).toBeNull();
  });
});
