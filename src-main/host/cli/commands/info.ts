import { parseCliArgs } from '../args';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import {
  BackendUnavailableError,
  initBackend,
  parseBackendName,
  UnknownBackendError,
  type BackendName,
  type BackendReport,
} from '../../../engine/backend';
import { neuronImplFromEnv, resolveNeuronImpl } from '../../../engine/glif/impl';
import { simdKernelStatus, type SimdKernelStatus } from '../../../engine/kernels/simd/heap';
import { availableCores, resolveThreads, THREADS_ENV_VAR } from '../../../engine/parallel/threads';
import { describeTorch, findTorch, type TorchProbe } from '../../../engine/torch/python';
import { describeAdapter } from '../../../engine/webgpu/adapters';
import { CliError } from '../errors';
import type { CliCommand } from '../command';

const HELP = `Usage: glif info [--json] [--backend <name>]

Shows which TensorFlow.js backend GLIF Workbench uses here, why faster ones are unavailable and
how to enable them, the versions in use, and TensorFlow.js memory.
  --backend <name>  initialise this backend instead of the best available one
                    (tensorflow-gpu, tensorflow, wasm, cpu; also GLIF_BACKEND=<name>)
  --json            print one JSON object instead of text`;

export interface InfoVersions {
  glifWorkbench: string | null;
  tfjs: string;
  /** Installed versions of the @tensorflow packages the backends come from. */
  tfjsPackages: Record<string, string | null>;
  node: string;
  platform: string;
  arch: string;
  /** The electron npm package; `binaryInstalled` says whether its download ever happened. */
  electron: { version: string; binaryInstalled: boolean; running: boolean } | null;
}

export interface InfoReport {
  backend: BackendReport;
  /** Threads a run trains on here by default (batch 64), the cores, and why fewer if so. */
  threads: { default: number; cores: number; envVar: string; envValue: string | null; note: string | null };
  /** Our WebAssembly SIMD kernels (engine/kernels/simd): whether they run here. */
  kernels: SimdKernelStatus;
  versions: InfoVersions;
  memory: { numTensors: number; numBytes: number; numDataBuffers: number };
  /** The torch engine: the interpreter and PyTorch it would run on, or why it cannot. */
  torchEngine: TorchProbe;
}

// Not named `require`: the bundler declares its own `require` shim at the top of each ESM chunk.
const nodeRequire = createRequire(import.meta.url);
const TFJS_PACKAGES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
];

function readPackageJson(file: string): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function installedVersion(pkg: string): string | null {
  try {
    const version = readPackageJson(nodeRequire.resolve(`${pkg}/package.json`))?.version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

/** Walks up from this file, so it works from the sources and from a bundled build alike. */
function workbenchVersion(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const json = readPackageJson(path.join(dir, 'package.json'));
    if (json?.name === 'glif-workbench') return typeof json.version === 'string' ? json.version : null;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Never `require('electron')` here: outside Electron that starts the binary download. */
function electronInfo(): InfoVersions['electron'] {
  const running = process.versions.electron;
  if (running !== undefined) return { version: running, binaryInstalled: true, running: true };
  try {
    const pkgFile = nodeRequire.resolve('electron/package.json');
    const version = readPackageJson(pkgFile)?.version;
    if (typeof version !== 'string') return null;
    const dir = path.dirname(pkgFile);
    const pathFile = path.join(dir, 'path.txt');
    const binaryInstalled =
      fs.existsSync(pathFile) &&
      fs.existsSync(path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim()));
    return { version, binaryInstalled, running: false };
  } catch {
    return null;
  }
}

export function collectVersions(): InfoVersions {
  return {
    glifWorkbench: workbenchVersion(),
    tfjs: tf.version_core,
    tfjsPackages: Object.fromEntries(TFJS_PACKAGES.map((p) => [p, installedVersion(p)])),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    electron: electronInfo(),
  };
}

export function formatInfo(info: InfoReport): string {
  const { backend, versions, memory } = info;
  const lines = [`Backend: ${backend.active}`, '', 'Candidates (fastest first):'];
  for (const c of backend.candidates) {
    const state =
      c.name === backend.active
        ? 'active'
        : c.available
          ? c.probed
            ? 'available'
            : 'installed'
          : 'unavailable';
    const version = c.version ? ` ${c.version}` : '';
    lines.push(`  ${c.name.padEnd(15)}${state.padEnd(12)}${c.package}${version}`);
    if (c.reason) lines.push(`  ${''.padEnd(15)}${c.reason}`);
    if (c.note) lines.push(`  ${''.padEnd(15)}note: ${c.note}`);
    for (const adapter of c.adapters ?? [])
      lines.push(`  ${''.padEnd(15)}adapter: ${describeAdapter(adapter)}`);
  }
  if (backend.fixHints.length > 0) {
    lines.push('', 'To enable a faster backend:');
    for (const hint of backend.fixHints) lines.push(`  ${hint}`);
  }
  const electron = versions.electron
    ? `${versions.electron.version}${versions.electron.running ? ' (running)' : versions.electron.binaryInstalled ? '' : ' (package only; binary not downloaded)'}`
    : 'not installed';
  lines.push(
    '',
    'Versions:',
    `  glif-workbench ${versions.glifWorkbench ?? 'unknown'}`,
    `  tfjs           ${versions.tfjs}`,
    `  node           ${versions.node} (${versions.platform}/${versions.arch})`,
    `  electron       ${electron}`,
    '',
    'Training threads:',
    `  ${info.threads.default} of ${info.threads.cores} cores by default` +
      (info.threads.envValue !== null
        ? ` (${info.threads.envVar}=${info.threads.envValue})`
        : ` (set ${info.threads.envVar} or --threads to change)`) +
      (info.threads.note ? `: ${info.threads.note}` : ''),
    '',
    'Our WebAssembly SIMD kernels:',
    `  ${info.kernels.detail}`,
    '',
    'TensorFlow.js memory:',
    `  tensors ${memory.numTensors}, bytes ${memory.numBytes}, data buffers ${memory.numDataBuffers}`,
    '',
    ...torchLines(info.torchEngine),
  );
  return lines.join('\n');
}

/** The torch engine's section: where it runs and what it can use, or why it cannot run. */
function torchLines(t: TorchProbe): string[] {
  if (!t.ok) return ['Torch engine (--engine torch): unavailable', `  ${t.reason}`, `  fix: ${t.fix}`];
  const r = t.runtime;
  const distributed = [r.gloo ? 'gloo' : null, r.nccl ? 'nccl' : null].filter((b) => b !== null);
  return [
    `Torch engine (--engine torch): ${describeTorch(r)}`,
    `  python ${r.pythonVersion} (${r.executable}${r.python !== r.executable ? `, found as ${r.python}` : ''})`,
    `  distributed: ${distributed.length > 0 ? distributed.join(', ') : 'none'}; CUDA ${r.cuda ? (r.cudaVersion ?? 'yes') : 'not available'}`,
    ...r.gpus.map((g, i) => `  GPU ${i}: ${g}`),
  ];
}

function parse(args: readonly string[]): { json: boolean; help: boolean; backend?: BackendName } {
  const { values } = parseCliArgs(
    args,
    {
      options: {
        backend: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    },
    HELP,
  );
  let backend: BackendName | undefined;
  if (values.backend !== undefined) {
    try {
      backend = parseBackendName(values.backend, '--backend');
    } catch (err) {
      if (err instanceof UnknownBackendError) throw new CliError(err.message);
      throw err;
    }
  }
  return { json: values.json === true, help: values.help === true, backend };
}

export const infoCommand: CliCommand = {
  summary: 'show the TensorFlow.js backend in use, how to enable faster ones, and versions',
  async run(args) {
    const options = parse(args);
    if (options.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    let backend: BackendReport;
    try {
      backend = await initBackend(
        options.backend ? { only: options.backend, probeAll: true } : { probeAll: true },
      );
    } catch (err) {
      // A bad GLIF_BACKEND or an unavailable forced backend is the user's setting, not a crash.
      if (err instanceof BackendUnavailableError || err instanceof UnknownBackendError)
        throw new CliError(err.message);
      throw err;
    }
    const memory = tf.memory();
    let choice;
    try {
      choice = resolveThreads({
        backend: backend.active,
        batchSize: 64,
        fusedBatchNorm: resolveNeuronImpl(neuronImplFromEnv(process.env), true, backend.active) === 'fused',
      });
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const info: InfoReport = {
      backend,
      threads: {
        default: choice.threads,
        cores: availableCores(),
        envVar: THREADS_ENV_VAR,
        envValue: process.env[THREADS_ENV_VAR] ?? null,
        note: choice.note ?? null,
      },
      kernels: simdKernelStatus(),
      versions: collectVersions(),
      memory: {
        numTensors: memory.numTensors,
        numBytes: memory.numBytes,
        numDataBuffers: memory.numDataBuffers,
      },
      torchEngine: await findTorch(),
    };
    process.stdout.write((options.json ? JSON.stringify(info, null, 2) : formatInfo(info)) + '\n');
    return 0;
  },
};
