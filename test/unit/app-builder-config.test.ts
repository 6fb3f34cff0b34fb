/**
 * Validates electron-builder.yml offline: packages a stand-in app with a fake Electron distribution
 * (`electronDist`), so no download is needed, then reads the app.asar it wrote. A schema error in the
 * config makes electron-builder exit 1, which fails this test.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '../..');
const builderCli = join(repo, 'node_modules/electron-builder/cli.js');
const electronVersion = (
  JSON.parse(readFileSync(join(repo, 'node_modules/electron/package.json'), 'utf8')) as { version: string }
).version;

/** File paths inside an asar archive, read from its JSON header (no asar library needed). */
function asarFiles(archive: string): string[] {
  const buffer = readFileSync(archive);
  const headerLength = buffer.readUInt32LE(12);
  const header = JSON.parse(buffer.subarray(16, 16 + headerLength).toString('utf8')) as AsarDirectory;
  const files: string[] = [];
  const walk = (dir: AsarDirectory, prefix: string): void => {
    for (const [name, entry] of Object.entries(dir.files)) {
      const path = `${prefix}/${name}`;
      if ('files' in entry) walk(entry, path);
      else files.push(path);
    }
  };
  walk(header, '');
  return files;
}

/** @electron/fuses' marker before the fuse wire in an Electron binary. */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/**
 * Electron's fuses in wire order, with the state an unmodified binary has: RunAsNode on, cookie
 * encryption off, NODE_OPTIONS on, --inspect on, asar integrity off, only-app.asar off, browser
 * V8 snapshot off, file:// privileges on.
 */
const FUSE_NAMES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;
const ELECTRON_DEFAULT_FUSES = '10110001';

/** The fuse states written in a (stand-in) Electron binary, by name. */
function fusesOf(binary: string): Record<(typeof FUSE_NAMES)[number], boolean> {
  const bytes = readFileSync(binary);
  const at = bytes.indexOf(FUSE_SENTINEL, 0, 'latin1');
  if (at < 0) throw new Error(`no fuse wire in ${binary}`);
  const wire = at + FUSE_SENTINEL.length;
  expect(bytes[wire]).toBe(1); // wire version
  expect(bytes[wire + 1]).toBe(FUSE_NAMES.length);
  const states = {} as Record<(typeof FUSE_NAMES)[number], boolean>;
  FUSE_NAMES.forEach((name, i) => {
    const state = String.fromCharCode(bytes[wire + 2 + i]);
    if (state !== '0' && state !== '1') throw new Error(`fuse ${name}: unexpected state ${state}`);
    states[name] = state === '1';
  });
  return states;
}

interface AsarDirectory {
  files: Record<string, AsarDirectory | { size: number; unpacked?: boolean }>;
}

function build(projectDir: string, output: string, electronDist: string, ...extra: string[]) {
  return spawnSync(
    process.execPath,
    [
      builderCli,
      '--linux',
      'dir',
      `--config.electronDist=${electronDist}`,
      // Normally read from node_modules/electron, which the stand-in project does not have.
      `--config.electronVersion=${electronVersion}`,
      // Rebuilding better-sqlite3 for Electron needs Electron's headers from the internet.
      '--config.npmRebuild=false',
      `--config.directories.output=${output}`,
      ...extra,
    ],
    { cwd: projectDir, encoding: 'utf8', env: { ...process.env, CI: 'true' }, timeout: 100_000 },
  );
}

describe('electron-builder.yml', () => {
  let work: string;
  let project: string;
  let electronDist: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'glif-builder-'));
    // A stand-in project: the real config, a tiny build output, and a small node_modules of its own
    // (npm's dependency listing, which electron-builder runs, does not follow a symlinked one).
    project = join(work, 'project');
    const write = (file: string, text: string): void => {
      mkdirSync(dirname(join(project, file)), { recursive: true });
      writeFileSync(join(project, file), text);
    };
    for (const file of [
      'out/main/index.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'src-main/app/main.ts',
    ]) {
      write(file, '// stand-in\n');
    }
    copyFileSync(join(repo, 'electron-builder.yml'), join(project, 'electron-builder.yml'));
    mkdirSync(join(project, 'resources'));
    copyFileSync(join(repo, 'resources/icon.png'), join(project, 'resources/icon.png'));

    // The real package.json, with production dependencies cut down to the native store and two
    // packages that are bundled (and so must stay out of the archive).
    const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Record<string, unknown>;
    const realDeps = pkg['dependencies'] as Record<string, string>;
    pkg['dependencies'] = {
      'better-sqlite3': realDeps['better-sqlite3'],
      zod: realDeps['zod'],
      '@tensorflow/tfjs-core': '^4.22.0',
      webgpu: realDeps['webgpu'],
      sharp: realDeps['sharp'],
    };
    delete pkg['optionalDependencies'];
    delete pkg['devDependencies'];
    write('package.json', JSON.stringify(pkg, null, 2));

    const sqlite = JSON.parse(
      readFileSync(join(repo, 'node_modules/better-sqlite3/package.json'), 'utf8'),
    ) as Record<string, unknown>;
    write(
      'node_modules/better-sqlite3/package.json',
      JSON.stringify({ ...sqlite, dependencies: { bindings: '^1.5.0' } }),
    );
    cpSync(join(repo, 'node_modules/better-sqlite3/lib'), join(project, 'node_modules/better-sqlite3/lib'), {
      recursive: true,
    });
    cpSync(
      join(repo, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
      join(project, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
    );
    cpSync(join(repo, 'node_modules/bindings'), join(project, 'node_modules/bindings'), { recursive: true });
    cpSync(join(repo, 'node_modules/file-uri-to-path'), join(project, 'node_modules/file-uri-to-path'), {
      recursive: true,
    });
    // sharp as installed here: its loader, dependencies, this platform's addon and libvips.
    for (const dir of [
      'sharp',
      '@img/colour',
      'detect-libc',
      'semver',
      '@img/sharp-linux-x64',
      '@img/sharp-libvips-linux-x64',
    ])
      cpSync(join(repo, 'node_modules', dir), join(project, 'node_modules', dir), { recursive: true });
    write(
      'node_modules/zod/package.json',
      JSON.stringify({ name: 'zod', version: '4.6.7', main: 'index.js' }),
    );
    write('node_modules/zod/index.js', '// stand-in\n');
    write(
      'node_modules/@tensorflow/tfjs-core/package.json',
      JSON.stringify({ name: '@tensorflow/tfjs-core', version: '4.22.0', main: 'index.js' }),
    );
    write('node_modules/@tensorflow/tfjs-core/index.js', '// stand-in\n');
    // Dawn for Node: a loader and one dawn.node per platform, of which only the target's ships.
    write(
      'node_modules/webgpu/package.json',
      JSON.stringify({ name: 'webgpu', version: '0.6.2', main: 'index.js' }),
    );
    write('node_modules/webgpu/index.js', '// stand-in\n');
    for (const platform of ['linux-x64', 'linux-arm64', 'win32-x64', 'darwin-universal'])
      write(`node_modules/webgpu/dist/${platform}/dawn.node`, `stand-in for ${platform}\n`);

    electronDist = join(work, 'fake-electron');
    mkdirSync(electronDist);
    // A real Electron binary carries its fuse wire after a sentinel: version 1, the number of fuses,
    // then one byte per fuse ('0' off, '1' on). The stand-in has Electron's defaults, so that the
    // test sees what electron-builder flips.
    writeFileSync(
      join(electronDist, 'electron'),
      `#!/bin/sh\necho "stand-in for the Electron binary"\nexit 0\n${FUSE_SENTINEL}\x01${String.fromCharCode(ELECTRON_DEFAULT_FUSES.length)}${ELECTRON_DEFAULT_FUSES}\n`,
      'latin1',
    );
    chmodSync(join(electronDist, 'electron'), 0o755);
    writeFileSync(join(electronDist, 'LICENSE'), 'stand-in\n');
    writeFileSync(join(electronDist, 'version'), '45.4.1\n');
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packages out/** and the native store module, and nothing else', () => {
    const output = join(work, 'release');
    const result = build(project, output, electronDist);
    expect(result.status, result.stderr || result.stdout).toBe(0);

    const resources = join(output, 'linux-unpacked/resources');
    const files = asarFiles(join(resources, 'app.asar'));
    expect(files).toEqual(
      expect.arrayContaining([
        '/package.json',
        '/out/main/index.js',
        '/out/preload/index.cjs',
        '/out/renderer/index.html',
      ]),
    );
    expect(files.filter((file) => file.startsWith('/src-main/'))).toEqual([]);
    // Bundled into out/main instead of shipped: see electron.vite.config.ts.
    expect(files.filter((file) => /^\/node_modules\/(@tensorflow|zod)\//.test(file))).toEqual([]);
    // Native addons must sit outside the archive to be loadable.
    expect(
      existsSync(
        join(resources, 'app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node'),
      ),
    ).toBe(true);
    expect(files).toContain('/node_modules/bindings/bindings.js');
    // WebGPU: the loader in the archive, the target's dawn.node beside it, no other platform's.
    expect(files).toContain('/node_modules/webgpu/index.js');
    const dawn = join(resources, 'app.asar.unpacked/node_modules/webgpu/dist');
    expect(readdirSync(dawn)).toEqual(['linux-x64']);
    expect(existsSync(join(dawn, 'linux-x64/dawn.node'))).toBe(true);
    expect(files.filter((file) => /webgpu\/dist\/(?!linux-x64)/.test(file))).toEqual([]);
    // sharp: its loader in the archive; its addon and libvips beside it, where they can be loaded.
    expect(files).toContain('/node_modules/sharp/dist/index.cjs');
    expect(files).toContain('/node_modules/detect-libc/package.json');
    const img = join(resources, 'app.asar.unpacked/node_modules/@img');
    expect(readdirSync(join(img, 'sharp-linux-x64/lib')).some((f) => f.endsWith('.node'))).toBe(true);
    expect(readdirSync(join(img, 'sharp-libvips-linux-x64/lib')).some((f) => f.includes('libvips'))).toBe(
      true,
    );
  });

  it('flips the Electron fuses in the packaged binary', () => {
    const output = join(work, 'release-fuses');
    const result = build(project, output, electronDist);
    expect(result.status, result.stderr || result.stdout).toBe(0);
    // Electron as shipped, for contrast: what the config changes is not already so.
    expect(fusesOf(join(electronDist, 'electron'))).toMatchObject({
      runAsNode: true,
      onlyLoadAppFromAsar: false,
    });

    expect(fusesOf(join(output, 'linux-unpacked/glif-workbench'))).toEqual({
      // ELECTRON_RUN_AS_NODE would make the app a plain Node.js (the worker is a utilityProcess).
      runAsNode: false,
      enableCookieEncryption: true,
      // No code through NODE_OPTIONS or a debugger through --inspect / SIGUSR1.
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      // Left as Electron has them: the window loads index.html over file://.
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: true,
    });
  });

  it('fails on a config that does not match the schema', () => {
    const result = build(project, join(work, 'release-bad'), electronDist, '--config.notAnOption=1');
    expect(result.status).toBe(1);
    expect(result.stderr + result.stdout).toMatch(/Invalid configuration object/);
    expect(result.stderr + result.stdout).toContain('notAnOption');
  });
});
