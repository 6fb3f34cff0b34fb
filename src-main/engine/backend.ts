import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BACKEND_NAMES, type BackendName } from '../contract/backends';
import { describeNativeFailure, hintsFor } from './backend-hints';
import {
  firstLine,
  foreignTfjsCore,
  hasNativeAddon,
  packageDir,
  readVersion,
  type BackendProbe,
} from './backend-packages';
import { ensureGradientConfigs } from './kernels/gradient-configs';
import { registerWasmGradientKernels } from './kernels/registry';
import { watchWebGpuDevice } from './webgpu/device-lost';
import { loadWebGpuBackend } from './webgpu/load';
import type { GpuAdapterSummary } from './webgpu/adapters';

/**
 * Picks the fastest TensorFlow.js backend this machine can run and says why the faster ones
 * are missing. Order: tfjs-node-gpu (CUDA), WebGPU on a hardware adapter (Dawn: any GPU with a
 * Vulkan, Metal or D3D12 driver), tfjs-node (native CPU), wasm (XNNPACK, SIMD), cpu (pure JS, about
 * a hundred times slower than wasm for conv nets). A software WebGPU adapter (llvmpipe, SwiftShader)
 * is never chosen automatically: it is a CPU, slower than wasm; `only: 'webgpu'` forces it.
 *
 * The native packages are optional dependencies whose install script downloads libtensorflow;
 * where that could not happen (npm 11 skips unapproved scripts, or no internet) they are
 * installed but inert and throw when required. They are therefore loaded lazily, inside
 * try/catch, and reported rather than allowed to crash the app.
 */
export { describeNativeFailure } from './backend-hints';

export type { BackendName };

export const BACKEND_ORDER: readonly BackendName[] = BACKEND_NAMES;

/** Both native packages register themselves with tfjs under the same name. */
const TF_NAME: Record<BackendName, string> = {
  'tensorflow-gpu': 'tensorflow',
  webgpu: 'webgpu',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

export const BACKEND_PACKAGE: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

export interface BackendCandidateReport {
  name: BackendName;
  package: string;
  /** Whether this backend can be used; for a candidate that was not probed, from its files only. */
  available: boolean;
  /**
   * True when this process tried to load and initialise it (a native package whose addon was
   * never built is not required at all); false when only its files were looked at because a
   * preferred backend came first.
   */
  probed: boolean;
  /** Why it is not available, e.g. 'package not installed', 'native load failed: ...'. */
  reason?: string;
  /** Something to know although it works, e.g. tfjs-node-gpu running without a GPU. */
  note?: string;
  /**
   * Works when asked for by name (`only`), never chosen automatically: a software WebGPU adapter.
   * `available` is false then, with the reason (the New-run form offers it with that reason).
   */
  byNameOnly?: true;
  version?: string;
  /** WebGPU only: the adapters Dawn found, the one TF.js uses first. */
  adapters?: GpuAdapterSummary[];
}

export interface BackendReport {
  active: BackendName;
  /** The GPU the active backend computes on, where it can say (webgpu). */
  adapter?: GpuAdapterSummary;
  candidates: BackendCandidateReport[];
  tfjsVersion: string;
  /** Commands (with the conditions they need) that would enable a faster backend than the active one. */
  fixHints: string[];
}

export interface InitBackendOptions {
  /** Try this one first, then the usual order. */
  prefer?: BackendName;
  /** Use this one or throw BackendUnavailableError. */
  only?: BackendName;
  /**
   * Look at every GPU route even where the automatic choice would not (glif info lists the
   * WebGPU adapters it finds, software ones too).
   */
  probeAll?: boolean;
}

export class BackendUnavailableError extends Error {
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
    readonly fixHints: readonly string[],
  ) {
    super(
      `TensorFlow.js backend '${backend}' is not available: ${reason}` +
        (fixHints.length > 0 ? `\nTo enable it:\n${fixHints.map((h) => `  ${h}`).join('\n')}` : ''),
    );
    this.name = 'BackendUnavailableError';
  }
}

export const BACKEND_ENV_VAR = 'GLIF_BACKEND';

export class UnknownBackendError extends Error {
  constructor(value: string, source: string) {
    super(`${source}: unknown backend '${value}'; expected one of ${BACKEND_ORDER.join(', ')}`);
    this.name = 'UnknownBackendError';
  }
}

/** Checks a backend name coming from outside (flag, env var, settings); `source` names where. */
export function parseBackendName(value: string, source = 'backend'): BackendName {
  const name = value.trim().toLowerCase();
  if ((BACKEND_ORDER as readonly string[]).includes(name)) return name as BackendName;
  throw new UnknownBackendError(value, source);
}

// Not named `require`: the bundler declares its own `require` shim at the top of each ESM chunk.
const nodeRequire = createRequire(import.meta.url);

type Probe = BackendProbe;

/** Results of real load/initialise attempts, by backend. */
type Attempts = Map<BackendName, Probe>;

/**
 * What this process has tried and chosen. TF.js has one active backend per process and a native
 * library, once loaded, stays loaded (and owns the 'tensorflow' name), so these are facts about
 * the process, held by the one object below and used only through initBackend. Nothing reads the
 * choice back from here: initBackend returns it as a BackendReport, and callers pass
 * `report.active` on (to the trainer, to resolveNeuronImpl, to replicas).
 */
interface BackendSelection {
  /** Results of real load/initialise attempts. */
  readonly attempts: Attempts;
  /** The last successful selection and the options it was made for (repeats reuse it). */
  last: { readonly key: string; readonly report: BackendReport } | undefined;
  /** Selections run one at a time: tf.setBackend switches the whole process. */
  queue: Promise<unknown>;
}

const processSelection: BackendSelection = { attempts: new Map(), last: undefined, queue: Promise.resolve() };

/**
 * Selects and initialises a backend and returns what was chosen; repeated calls with the same
 * options reuse the result. The returned report is the value to pass to whatever needs to know
 * the active backend.
 */
export function initBackend(opts: InitBackendOptions = {}): Promise<BackendReport> {
  const selection = processSelection;
  const run = selection.queue.then(() => selectBackend(selection, opts));
  selection.queue = run.catch(() => undefined);
  return run;
}

async function selectBackend(selection: BackendSelection, opts: InitBackendOptions): Promise<BackendReport> {
  // Options often come straight from a command line or a settings file: check them here.
  const envValue = process.env[BACKEND_ENV_VAR];
  const only =
    opts.only !== undefined
      ? parseBackendName(opts.only, 'only')
      : envValue
        ? parseBackendName(envValue, BACKEND_ENV_VAR)
        : undefined;
  const prefer = opts.prefer !== undefined ? parseBackendName(opts.prefer, 'prefer') : undefined;
  const key = `${only ?? ''}|${prefer ?? ''}|${opts.probeAll === true}`;
  const last = selection.last;
  if (last && last.key === key && tf.getBackend() === TF_NAME[last.report.active]) return last.report;
  const { attempts } = selection;
  await ensureGradientConfigs();
  quietCpuBackend();
  const order = only
    ? [only]
    : prefer
      ? [prefer, ...BACKEND_ORDER.filter((n) => n !== prefer)]
      : BACKEND_ORDER;
  let active: BackendName | undefined;
  for (const name of order) {
    if (await activate(attempts, name, name === only, opts.probeAll === true)) {
      active = name;
      break;
    }
  }
  if (active === undefined) {
    const name = order[0];
    const failed = candidateReport(attempts, name);
    throw new BackendUnavailableError(name, failed.reason ?? 'unknown reason', hintsFor(failed));
  }
  const candidates = BACKEND_ORDER.map((n) => forcedOnlyView(candidateReport(attempts, n), attempts, active));
  const better = candidates.slice(0, BACKEND_ORDER.indexOf(active)).filter((c) => !c.available);
  const adapter = active === 'webgpu' ? attempts.get('webgpu')?.adapters?.[0] : undefined;
  const report: BackendReport = {
    active,
    ...(adapter ? { adapter } : {}),
    candidates,
    tfjsVersion: tf.version_core,
    fixHints: better.flatMap(hintsFor),
  };
  selection.last = { key, report };
  return report;
}

async function activate(
  attempts: Attempts,
  name: BackendName,
  forced: boolean,
  probeAll: boolean,
): Promise<boolean> {
  let probe = attempts.get(name);
  if (probe === undefined || (probe.notProbed === true && (forced || probeAll))) {
    probe = await load(attempts, name, forced || probeAll);
    attempts.set(name, probe);
  }
  if (!probe.available || (probe.forcedOnly === true && !forced)) return false;
  if (name === 'wasm') registerWasmGradientKernels();
  const ok = await tf.setBackend(TF_NAME[name]);
  if (!ok) {
    attempts.set(name, { ...probe, available: false, reason: 'tf.setBackend returned false' });
    return false;
  }
  if (name === 'webgpu') watchWebGpuDevice(tf.backend());
  if (name === 'tensorflow-gpu' && probe.note === undefined && !nativeUsesGpu()) {
    attempts.set(name, {
      ...probe,
      note: 'loaded, but TensorFlow found no usable CUDA GPU and runs on the CPU',
    });
  }
  return true;
}

/** tfjs-node's backend asks libtensorflow whether it placed ops on a GPU. */
function nativeUsesGpu(): boolean {
  const backend = tf.backend() as unknown as { isUsingGpuDevice?: unknown };
  return backend.isUsingGpuDevice === true;
}

function load(attempts: Attempts, name: BackendName, look: boolean): Promise<Probe> {
  if (name === 'webgpu') return loadWebGpuBackend(inspectPackage(name), { look });
  return name === 'wasm' || name === 'cpu'
    ? loadJsBackend(name)
    : Promise.resolve(loadNative(attempts, name));
}

function loadNative(attempts: Attempts, name: 'tensorflow-gpu' | 'tensorflow'): Probe {
  const files = inspectPackage(name);
  if (!files.available) return files;
  const sibling = name === 'tensorflow-gpu' ? 'tensorflow' : 'tensorflow-gpu';
  if (attempts.get(sibling)?.available) {
    return { ...files, available: false, reason: siblingLoaded(sibling) };
  }
  const mismatch = foreignTfjsCore(BACKEND_PACKAGE[name], ['@tensorflow/tfjs']);
  if (mismatch) return { ...files, available: false, reason: mismatch };
  const kernelsBefore = new Set(tf.getKernelsForBackend('tensorflow').map((k) => k.kernelName));
  try {
    nodeRequire(BACKEND_PACKAGE[name]);
    return files;
  } catch (err) {
    // The package registers its ~150 kernels before it loads libtensorflow; left behind, they make
    // the sibling package print one "already registered" warning per kernel.
    for (const k of tf.getKernelsForBackend('tensorflow')) {
      if (!kernelsBefore.has(k.kernelName)) tf.unregisterKernel(k.kernelName, 'tensorflow');
    }
    return { ...files, available: false, reason: describeNativeFailure(err) };
  }
}

function siblingLoaded(sibling: BackendName): string {
  return `${BACKEND_PACKAGE[sibling]} is already loaded in this process and owns tfjs's 'tensorflow' backend`;
}

async function loadJsBackend(name: 'wasm' | 'cpu'): Promise<Probe> {
  // A bundled build (the packaged desktop app) carries the JS backends inside its bundle and the
  // .wasm binaries in a folder it names in GLIF_WASM_DIR; there is no package folder to inspect.
  const bundledWasmDir = process.env['GLIF_WASM_DIR'];
  const files = bundledWasmDir ? { available: true } : inspectPackage(name);
  if (!files.available) return files;
  const mismatch = bundledWasmDir ? undefined : foreignTfjsCore(BACKEND_PACKAGE[name], []);
  if (mismatch) return { ...files, available: false, reason: mismatch };
  try {
    if (name === 'cpu') {
      await import('@tensorflow/tfjs-backend-cpu');
      return files;
    }
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dir = packageDir(BACKEND_PACKAGE.wasm);
    // In Node the .wasm binaries are read from disk; point the loader at the package's dist
    // folder so this works from any working directory. Threads stay off: the worker script
    // cannot be located under Node (ERR_WORKER_PATH), and on 2 cores they gain nothing.
    if (bundledWasmDir)
      wasm.setWasmPaths(bundledWasmDir.endsWith(path.sep) ? bundledWasmDir : bundledWasmDir + path.sep);
    else if (dir !== undefined) wasm.setWasmPaths(path.join(dir, 'dist') + path.sep);
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return files;
  } catch (err) {
    return { ...files, available: false, reason: `package failed to load: ${firstLine(err)}` };
  }
}

/**
 * tfjs-backend-cpu greets its first tensor in Node with a banner recommending tfjs-node. Backend
 * selection has already said so in its report, and the banner would land in `glif info --json`
 * consumers' logs, so it is switched off on the instance (there is no flag for it short of PROD
 * mode, which would also hide tfjs's useful warnings).
 */
function quietCpuBackend(): void {
  if (tf.findBackendFactory('cpu') == null) return;
  // findBackend creates the (cheap, synchronous) cpu backend without making it the active one.
  const backend = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (backend && typeof backend.firstUse === 'boolean') backend.firstUse = false;
}

/**
 * A software WebGPU adapter works but is used only when asked for: unused, it reads as not
 * available with the reason; used (forced), as available with the reason as a note.
 */
function forcedOnlyView(
  c: BackendCandidateReport,
  attempts: Attempts,
  active: BackendName,
): BackendCandidateReport {
  if (attempts.get(c.name)?.forcedOnly !== true) return c;
  if (c.name !== active) return { ...c, available: false, byNameOnly: true };
  const { reason, ...rest } = c;
  return reason === undefined ? rest : { ...rest, note: reason };
}

function candidateReport(attempts: Attempts, name: BackendName): BackendCandidateReport {
  const tried = attempts.get(name);
  let probe = tried ?? inspectPackage(name);
  const sibling =
    name === 'tensorflow-gpu' ? 'tensorflow' : name === 'tensorflow' ? 'tensorflow-gpu' : undefined;
  if (!tried && probe.available && sibling && attempts.get(sibling)?.available) {
    probe = { ...probe, available: false, reason: siblingLoaded(sibling) };
  }
  const report: BackendCandidateReport = {
    name,
    package: BACKEND_PACKAGE[name],
    available: probe.available,
    probed: tried !== undefined,
  };
  if (probe.reason !== undefined) report.reason = probe.reason;
  if (probe.note !== undefined) report.note = probe.note;
  if (probe.version !== undefined) report.version = probe.version;
  if (probe.adapters !== undefined) report.adapters = probe.adapters;
  return report;
}

/** What can be known without loading the backend: installed, version, native addon built. */
function inspectPackage(name: BackendName): Probe {
  const dir = packageDir(BACKEND_PACKAGE[name]);
  if (dir === undefined) return { available: false, reason: 'package not installed' };
  const version = readVersion(dir);
  if ((name === 'tensorflow-gpu' || name === 'tensorflow') && !hasNativeAddon(dir)) {
    return {
      available: false,
      version,
      reason:
        'native addon not built: tfjs_binding.node and libtensorflow are missing ' +
        '(the install script that downloads them was skipped or had no internet)',
    };
  }
  return { available: true, version };
}
