import os from 'node:os';
import path from 'node:path';
import { APP_NAME } from '../../contract/app-name';
import { RunStoreError } from './errors';
import { isRunId } from './ids';

export { APP_NAME };
export const DB_FILE_NAME = 'runs.sqlite';

/** What the default location depends on; injectable so that every platform can be tested anywhere. */
export interface DataDirEnvironment {
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  homedir?: string;
}

function pathFor(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/**
 * The folder Electron's `app.getPath('userData')` returns for an app named "GLIF Workbench",
 * computed without Electron so that the CLI and the headless host share the desktop app's runs.
 * `GLIF_DATA_DIR` overrides it (tests, portable installs, several workspaces).
 */
export function defaultDataDir(environment: DataDirEnvironment = {}): string {
  const env = environment.env ?? process.env;
  const platform = environment.platform ?? process.platform;
  const home = environment.homedir ?? os.homedir();
  const p = pathFor(platform);

  const override = env.GLIF_DATA_DIR;
  if (override !== undefined && override.trim() !== '') return p.resolve(override);

  switch (platform) {
    case 'win32':
      return p.join(env.APPDATA ?? p.join(home, 'AppData', 'Roaming'), APP_NAME);
    case 'darwin':
      return p.join(home, 'Library', 'Application Support', APP_NAME);
    default: {
      // Electron, like the XDG spec, ignores an unset or relative XDG_CONFIG_HOME.
      const xdg = env.XDG_CONFIG_HOME;
      const configHome = xdg !== undefined && p.isAbsolute(xdg) ? xdg : p.join(home, '.config');
      return p.join(configHome, APP_NAME);
    }
  }
}

/** `<dataDir>/runs.sqlite`. */
export function defaultDbPath(environment: DataDirEnvironment = {}): string {
  return pathFor(environment.platform ?? process.platform).join(defaultDataDir(environment), DB_FILE_NAME);
}

/** `<dataDir>/checkpoints/<runId>`; the id is checked so that it cannot escape the folder. */
export function checkpointDir(runId: string, dataDir: string = defaultDataDir()): string {
  if (!isRunId(runId)) throw new RunStoreError('invalid_input', `not a run id: ${JSON.stringify(runId)}`);
  return path.join(dataDir, 'checkpoints', runId);
}
