import { z } from 'zod';

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
