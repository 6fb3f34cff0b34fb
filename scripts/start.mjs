#!/usr/bin/env node
// `npm start` / `npm run dev`: builds when needed, then opens the desktop window. When the Electron
// binary cannot be had (no internet, no display, running as root), it says why in a few lines and
// serves the same UI to a browser instead. Never prompts, so it behaves the same under CI.
//
//   node scripts/start.mjs [--dev] [--browser] [--rebuild] [--no-sandbox] [-- <args for glif serve>]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const electronVite = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
const BUILD_OUTPUTS = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const BUILD_INPUTS = [
  'src-main',
  'src-renderer',
  'electron.vite.config.ts',
  'tsconfig.web.json',
  'package.json',
];
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

const say = (line) => console.log(`[start] ${line}`);

class StartError extends Error {}

function parseArgs(argv) {
  const separator = argv.indexOf('--');
  const own = separator === -1 ? argv : argv.slice(0, separator);
  const options = {
    dev: false,
    browser: false,
    rebuild: false,
    noSandbox: false,
    passThrough: separator === -1 ? [] : argv.slice(separator + 1),
  };
  for (const arg of own) {
    if (arg === '--dev') options.dev = true;
    else if (arg === '--browser') options.browser = true;
    else if (arg === '--rebuild') options.rebuild = true;
    else if (arg === '--no-sandbox') options.noSandbox = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else throw new StartError(`unknown option '${arg}' (try --help)`);
  }
  return options;
}

const HELP = `Usage: npm start [-- options]     (npm run dev = --dev)
  --dev         electron-vite dev (hot reload) instead of the built app
  --browser     skip the desktop window; serve the UI to a browser
  --rebuild     build even if out/ looks up to date
  --no-sandbox  pass --no-sandbox to Electron (only needed when running as root)
  -- <args>     passed on to \`glif serve\` in browser mode`;

/** Runs a command with inherited output; resolves to its exit code. */
function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 128 + 2 : 1));
    });
  });
}

function newestMtime(path) {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function buildIsStale() {
  const outputs = BUILD_OUTPUTS.map((file) => statSync(join(root, file), { throwIfNoEntry: false }));
  if (outputs.some((info) => !info)) return 'out/ is missing';
  const oldestOutput = Math.min(...outputs.map((info) => info.mtimeMs));
  const newestInput = Math.max(...BUILD_INPUTS.map((input) => newestMtime(join(root, input))));
  return newestInput > oldestOutput ? 'sources changed since the last build' : null;
}

async function ensureBuilt(force) {
  const reason = force ? 'rebuild requested' : buildIsStale();
  if (!reason) {
    say('build is up to date (out/)');
    return;
  }
  say(`building the app (${reason}): electron-vite build`);
  const code = await run(process.execPath, [electronVite, 'build']);
  if (code !== 0) throw new StartError(`the build failed (exit code ${code}); see the errors above`);
}

function electronPackage() {
  const dir = dirname(require.resolve('electron/package.json'));
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  return { dir, version };
}

/** The binary the electron package would launch, or null when it has not been downloaded. */
function installedElectronBinary({ dir, version }) {
  try {
    const installed = readFileSync(join(dir, 'dist/version'), 'utf8').trim().replace(/^v/, '');
    const binary = join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8'));
    return installed === version && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Runs the electron package's own installer (the `install-electron` bin); resolves to an error line or null. */
function downloadElectron({ dir, version }) {
  say(`fetching the Electron ${version} binary (one-time download, about 100 MB)...`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dir, 'install.js')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const started = Date.now();
    const heartbeat = setInterval(
      () => say(`still downloading (${Math.round((Date.now() - started) / 1000)} s)...`),
      20_000,
    );
    const timeout = setTimeout(() => child.kill('SIGTERM'), DOWNLOAD_TIMEOUT_MS);
    const finish = (error) => {
      clearInterval(heartbeat);
      clearTimeout(timeout);
      resolve(error);
    };
    child.once('error', (error) => finish(error.message));
    child.once('exit', (code, signal) => {
      if (code === 0) return finish(null);
      if (signal) return finish(`no download after ${DOWNLOAD_TIMEOUT_MS / 60_000} minutes`);
      const lines = output.split('\n').map((line) => line.trim());
      const cause = lines.find((line) =>
        /ENOTFOUND|ECONN|ETIMEDOUT|EAI_AGAIN|fetch failed|HTTPError|status code|checksum/i.test(line),
      );
      finish(cause ?? lines.find(Boolean) ?? `installer exit code ${code}`);
    });
  });
}

/** Why the desktop window cannot open here, or null when it can. */
function desktopBlocker(options) {
  if (options.browser) return { reason: 'browser mode requested (--browser)' };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no graphical display here (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  if (process.getuid?.() === 0 && !options.noSandbox) {
    return {
      reason: 'Electron refuses to run as root with its sandbox on',
      hint: 'Run as a normal user, or, knowing it weakens isolation: npm start -- --no-sandbox',
    };
  }
  return null;
}

async function startDesktop(options, binary) {
  const sandboxArgs = options.noSandbox ? ['--no-sandbox'] : [];
  if (options.dev) {
    say('starting electron-vite dev (hot reload)');
    return run(process.execPath, [electronVite, 'dev', ...(options.noSandbox ? ['--noSandbox'] : [])]);
  }
  say('opening the desktop window');
  return run(binary, ['.', ...sandboxArgs]);
}

async function startBrowser(options) {
  if (options.dev) {
    say(
      'serving the renderer with hot reload (no API until `glif serve` runs): electron-vite dev --rendererOnly',
    );
    return run(process.execPath, [electronVite, 'dev', '--rendererOnly']);
  }
  say(`starting the headless host: glif serve ${options.passThrough.join(' ')}`.trimEnd());
  return run(process.execPath, [join(root, 'bin/glif.mjs'), 'serve', ...options.passThrough]);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    console.log(HELP);
    return 0;
  }
  if (!options.dev) await ensureBuilt(options.rebuild);

  const electron = electronPackage();
  const blocker = desktopBlocker(options);
  if (blocker) {
    if (!options.browser) {
      say(`The desktop window cannot open: ${blocker.reason}.`);
      if (blocker.hint) say(blocker.hint);
      if (!installedElectronBinary(electron)) {
        say(
          `It will also need the Electron ${electron.version} binary: fetch it once with \`npx install-electron\` (needs internet).`,
        );
      }
      say('Meanwhile, the same UI runs in your browser:');
    }
    return startBrowser(options);
  }

  let binary = installedElectronBinary(electron);
  if (!binary) {
    const error = await downloadElectron(electron);
    binary = error ? null : installedElectronBinary(electron);
    if (!binary) {
      say(
        `The desktop window needs the Electron ${electron.version} binary, which could not be downloaded (${error ?? 'not found after install'}).`,
      );
      say(
        'On a machine with internet, fetch it once with `npx install-electron` (or `node node_modules/electron/install.js`), then `npm start`.',
      );
      say('Meanwhile, the same UI runs in your browser:');
      return startBrowser(options);
    }
  }
  return startDesktop(options, binary);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[start] ${error instanceof StartError ? error.message : (error?.stack ?? String(error))}`);
    process.exit(1);
  },
);
