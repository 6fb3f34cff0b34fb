/**
 * What can be known about a backend's npm package without loading it (backend.ts): where it is,
 * its version, whether a native addon was built, which tfjs-core it would register with, and
 * whether package.json approves its install script.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { GpuAdapterSummary } from './webgpu/adapters';

/** What backend selection learns about a backend, loading it or only inspecting its package. */
export interface BackendProbe {
  available: boolean;
  reason?: string;
  note?: string;
  version?: string;
  adapters?: GpuAdapterSummary[];
  /** Only a software adapter: used when asked for by name, never automatically. */
  forcedOnly?: boolean;
  /** Dawn was not loaded (no GPU device here): asked for by name, it is probed then. */
  notProbed?: boolean;
}

// Not named `require`: the bundler declares its own `require` shim at the top of each ESM chunk.
const nodeRequire = createRequire(import.meta.url);

export function packageDir(pkg: string): string | undefined {
  try {
    return path.dirname(nodeRequire.resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
}

export function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function readVersion(dir: string): string | undefined {
  const version = readJson(path.join(dir, 'package.json'))?.version;
  return typeof version === 'string' ? version : undefined;
}

/** node-pre-gyp puts the addon in lib/napi-v<N>/ once the install script has run. */
export function hasNativeAddon(dir: string): boolean {
  const lib = path.join(dir, 'lib');
  if (!fs.existsSync(lib)) return false;
  return fs.readdirSync(lib).some((sub) => fs.existsSync(path.join(lib, sub, 'tfjs_binding.node')));
}

/**
 * A backend registers its kernels with the tfjs-core it resolves. If that were a different copy
 * from ours, it would register where our engine code never looks. Follows pkg -> via... ->
 * tfjs-core and compares with our own resolution; returns a reason when they differ.
 */
export function foreignTfjsCore(pkg: string, via: readonly string[]): string | undefined {
  try {
    const ours = nodeRequire.resolve('@tensorflow/tfjs-core');
    let from = nodeRequire.resolve(`${pkg}/package.json`);
    for (const hop of via) from = createRequire(from).resolve(hop);
    const theirs = createRequire(from).resolve('@tensorflow/tfjs-core');
    return theirs === ours
      ? undefined
      : `it uses another copy of @tensorflow/tfjs-core (${theirs}, ours is ${ours})`;
  } catch (err) {
    return `cannot resolve its @tensorflow/tfjs-core: ${firstLine(err)}`;
  }
}

/** Whether the project's package.json already approves pkg's install script (npm 11 allowScripts). */
export function installScriptApproved(pkg: string): boolean {
  const dir = packageDir(pkg);
  // node_modules/@scope/name -> the project that installed it.
  const allow = dir && readJson(path.resolve(dir, '..', '..', '..', 'package.json'))?.allowScripts;
  return typeof allow === 'object' && allow !== null && (allow as Record<string, unknown>)[pkg] === true;
}

/** An error's first line: native loaders put paths and stacks after it. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].trim();
}
