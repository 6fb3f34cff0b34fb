import { z } from 'zod';
import type { RunAdapter } from '../runs/store/types';
import type { BackendName } from './backends';

/**
 * Where the main side runs: inside the Electron app, or as the headless host that serves the same
 * UI to a browser over a WebSocket.
 */
export type HostKind = 'electron' | 'browser';

/** Answer of `system.info`: enough to tell the user what they are talking to. */
export interface SystemInfo {
  readonly appName: string;
  readonly appVersion: string;
  readonly host: HostKind;
  /** `process.platform` of the main side (`linux`, `darwin`, `win32`, ...). */
  readonly platform: string;
  readonly arch: string;
  readonly nodeVersion: string;
  /** `null` under the headless host. */
  readonly electronVersion: string | null;
}

// Strict: an unexpected key is a caller bug worth reporting, not something to ignore silently.
export const systemInfoParams = z.strictObject({});

export const backendStatusParams = z.strictObject({});

/** The TF.js backend training runs on, and what would enable a faster one. */
export interface BackendStatus {
  /** null until a run has started a worker (the backend is chosen in the worker). */
  readonly active: string | null;
  readonly fixHints: readonly string[];
}

export const backendsParams = z.strictObject({});

/** One backend as the New-run form offers it: whether a run asking for it can train here. */
export interface BackendOption {
  readonly name: BackendName;
  /** A run that asks for it by name trains on it on this host. */
  readonly usable: boolean;
  /** Usable, but only by name: never the automatic choice (a software WebGPU adapter). */
  readonly byNameOnly: boolean;
  /** Why it is not usable, or why only by name. */
  readonly reason: string | null;
  /** Something to know although it works (tfjs-node-gpu without a GPU, the adapter's name). */
  readonly note: string | null;
  /** WebGPU: the adapter it would compute on. */
  readonly adapter: RunAdapter | null;
}

/** Answer of `system.backends`: what a run on this host can train on, surveyed in a worker. */
export interface BackendAvailability {
  /** The backend of runs that ask for none: the host's (`glif serve --backend`), else automatic. */
  readonly defaultBackend: BackendName;
  /** Whether the host set that default, rather than picking the fastest usable one. */
  readonly hostDefault: boolean;
  /** Every backend, fastest first. */
  readonly options: readonly BackendOption[];
}

/**
 * Ask the main side to let the user pick a dataset location with the native dialog. Only the
 * desktop app has one; the headless host answers `unavailable` (its users type the path as the
 * host machine sees it). The renderer receives the path the user chose, never invents one.
 */
export const chooseDataLocationParams = z.strictObject({
  /** IDX/CIFAR folders, or a single archive (CIFAR .tar.gz). */
  kind: z.enum(['folder', 'file']),
});

export interface ChosenLocation {
  /** null when the user closed the dialog without choosing. */
  readonly path: string | null;
}
