import { parseCliArgs } from '../args';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_NAME } from '../../../contract/app-name';
import { parseBackendName, type BackendName } from '../../../engine/backend';
import { parseThreads } from '../../../engine/parallel/threads';
import { startHostServer } from '../../server/host-server';
import { CliError } from '../errors';
import type { CliCommand } from '../command';
import { openStore } from '../store-access';

const HELP = `Usage: glif serve [--port N] [--db path] [--backend name] [--threads N] [--no-build] [--ui-dir folder]

Serves the workbench UI to a browser, with the same API as the desktop app, on 127.0.0.1 only.
The URL it prints carries the access token; without it the API refuses to connect.
To watch a remote GPU box from a laptop: ssh -L 7420:127.0.0.1:7420 gpu-box 'glif serve --port 7420'.
--threads N sets each run's training threads (data-parallel replicas on wasm/cpu); default: GLIF_THREADS, else every core.
--ui-dir folder serves a UI built elsewhere (the folder holding its index.html) and builds nothing.`;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds the renderer when its output is missing or older than its sources (a fresh clone, an edit). */
function ensureRendererBuilt(log: (s: string) => void): string {
  const out = path.join(repoRoot, 'out/renderer');
  const index = path.join(out, 'index.html');
  const sources = [path.join(repoRoot, 'src-renderer'), path.join(repoRoot, 'src-main/contract')];
  const stale =
    !existsSync(index) || sources.some((s) => existsSync(s) && newestMtime(s) > statSync(index).mtimeMs);
  if (stale) {
    log('building the UI (electron-vite build)...');
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    if (r.status !== 0 || !existsSync(index))
      throw new CliError('building the UI failed (see above); try: npm run build', 1);
  }
  return out;
}

/** A UI folder given on the command line: it must hold an index.html (its CSP is read from it). */
function uiDir(dir: string): string {
  const resolved = path.resolve(dir);
  if (!existsSync(path.join(resolved, 'index.html')))
    throw new CliError(`--ui-dir: no index.html in ${resolved}`);
  return resolved;
}

export const serveCommand: CliCommand = {
  summary: 'serve the workbench UI and API to a browser on 127.0.0.1',
  async run(args) {
    const o = parseCliArgs(
      args,
      {
        options: {
          port: { type: 'string' },
          db: { type: 'string' },
          backend: { type: 'string' },
          threads: { type: 'string' },
          'no-build': { type: 'boolean' },
          'ui-dir': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      },
      HELP,
    ).values;
    if (o.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const port = o.port === undefined ? 7420 : Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new CliError(`--port: expected 0..65535, got '${o.port}'`);
    let backend: BackendName | undefined;
    let threads: number | undefined;
    try {
      backend = o.backend ? parseBackendName(o.backend, '--backend') : undefined;
      threads = o.threads === undefined ? undefined : parseThreads(o.threads, '--threads');
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const log = (s: string) => process.stdout.write(s + '\n');
    const rendererDir = o['ui-dir']
      ? uiDir(o['ui-dir'])
      : o['no-build']
        ? path.join(repoRoot, 'out/renderer')
        : ensureRendererBuilt(log);
    const { store, dbPath, dataDir } = openStore(o.db);
    const version = JSON.parse(
      (await import('node:fs')).readFileSync(path.join(repoRoot, 'package.json'), 'utf8'),
    ).version as string;
    let host;
    try {
      host = await startHostServer({
        rendererDir,
        store,
        dataDir,
        port,
        backend,
        threads,
        host: { appName: APP_NAME, appVersion: version, host: 'browser' },
      });
    } catch (err) {
      store.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new CliError(
        code === 'EADDRINUSE' ? `port ${port} is in use; pick another with --port` : (err as Error).message,
        1,
      );
    }
    log(`GLIF Workbench is serving at ${host.url}`);
    log(`database: ${dbPath}`);
    log('open the URL above in a browser (it carries the access token); Ctrl-C stops the server');
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    // A second Ctrl-C now takes Node's default: the process ends at once, and the next start
    // marks a run it left `running` as interrupted.
    log('stopping: ending the run in progress, closing the database (Ctrl-C again to quit at once)...');
    await host.close(`interrupted: glif serve was stopped (${signal}) during the run`);
    return 0;
  },
};
