/**
 * Drives src-main/app/main.ts against a stand-in 'electron' module: the wiring (single instance,
 * security, IPC, window) is checked without the Electron binary, which cannot be downloaded here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DB_FILE_NAME } from '../../src-main/runs/store/paths';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const state = {
    userData: '',
    lock: true,
    appListeners: new Map<string, Listener>(),
    windows: [] as { options: Record<string, unknown>; loaded: string; calls: string[] }[],
    ipcHandlers: new Map<string, Listener>(),
    headerListener: undefined as Listener | undefined,
    downloadListener: undefined as Listener | undefined,
    quit: 0,
    onQuit: undefined as (() => void) | undefined,
    workers: [] as FakeWorker[],
  };

  /** A utility process that ends (asynchronously, like a real one) when killed. */
  class FakeWorker {
    readonly messages: unknown[] = [];
    killed = false;
    private readonly exitListeners: Listener[] = [];
    postMessage(message: unknown) {
      this.messages.push(message);
    }
    on() {}
    once(name: string, listener: Listener) {
      if (name === 'exit') this.exitListeners.push(listener);
    }
    kill() {
      this.killed = true;
      setImmediate(() => this.exitListeners.forEach((l) => l(0)));
      return true;
    }
  }

  class FakeWindow {
    readonly listeners = new Map<string, Listener>();
    readonly calls: string[] = [];
    loaded = '';
    constructor(readonly options: Record<string, unknown>) {
      state.windows.push(this);
    }
    on(name: string, listener: Listener) {
      this.listeners.set(name, listener);
      return this;
    }
    once(name: string, listener: Listener) {
      return this.on(name, listener);
    }
    loadFile(file: string) {
      this.loaded = file;
      return Promise.resolve();
    }
    loadURL(url: string) {
      this.loaded = url;
      return Promise.resolve();
    }
    maximize() {}
    isMinimized() {
      return true;
    }
    restore() {
      this.calls.push('restore');
    }
    show() {
      this.calls.push('show');
    }
    focus() {
      this.calls.push('focus');
    }
    readonly webContents = { isDestroyed: () => false, send: () => {} };
    static getAllWindows() {
      return state.windows;
    }
  }

  const electron = {
    app: {
      isPackaged: false,
      setName: (name: string) => ((state as { name?: string }).name = name),
      enableSandbox: () => {},
      requestSingleInstanceLock: () => state.lock,
      quit: () => {
        state.quit += 1;
        state.onQuit?.();
      },
      exit: () => {},
      on: (name: string, listener: Listener) => state.appListeners.set(name, listener),
      whenReady: () => Promise.resolve(),
      getVersion: () => '0.1.0-test',
      getPath: () => state.userData,
    },
    BrowserWindow: FakeWindow,
    ipcMain: {
      handle: (channel: string, listener: Listener) => state.ipcHandlers.set(channel, listener),
      removeHandler: () => {},
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (listener: Listener) => (state.headerListener = listener) },
        setPermissionRequestHandler: () => {},
        setPermissionCheckHandler: () => {},
        on: (name: string, listener: Listener) => {
          if (name === 'will-download') state.downloadListener = listener;
        },
      },
    },
    shell: { openExternal: () => Promise.resolve() },
    utilityProcess: {
      fork: () => {
        const worker = new FakeWorker();
        state.workers.push(worker);
        return worker;
      },
    },
  };
  return { state, electron, FakeWindow };
});

vi.mock('electron', () => fake.electron);

async function startMain(): Promise<void> {
  vi.resetModules();
  await import('../../src-main/app/main');
  // Let the whenReady() continuation run.
  await new Promise((resolve) => setTimeout(resolve, 0));
}

describe('Electron main entry', () => {
  beforeEach(() => {
    fake.state.userData = mkdtempSync(join(tmpdir(), 'glif-main-'));
    fake.state.lock = true;
    fake.state.appListeners.clear();
    fake.state.windows.length = 0;
    fake.state.ipcHandlers.clear();
    fake.state.headerListener = undefined;
    fake.state.downloadListener = undefined;
    fake.state.quit = 0;
    fake.state.onQuit = undefined;
    fake.state.workers.length = 0;
  });
  afterEach(() => rmSync(fake.state.userData, { recursive: true, force: true }));

  it('opens one hardened window on the built renderer, with the CSP header and the IPC router in place', async () => {
    await startMain();
    expect((fake.state as { name?: string }).name).toBe('GLIF Workbench');
    expect(fake.state.windows).toHaveLength(1);
    const [window] = fake.state.windows;
    const prefs = window!.options['webPreferences'] as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, nodeIntegration: false, sandbox: true });
    expect(String(prefs['preload'])).toMatch(/preload[/\\]index\.cjs$/);
    expect(window!.loaded).toMatch(/renderer[/\\]index\.html$/);
    expect(fake.state.headerListener).toBeTypeOf('function');
    // Exports the page made (blob: URLs) may be saved; a download of anything else is refused.
    const download = (url: string) => {
      let prevented = false;
      fake.state.downloadListener!({ preventDefault: () => (prevented = true) }, { getURL: () => url });
      return prevented;
    };
    expect(download('blob:file:///0a1b2c')).toBe(false);
    expect(download('https://example.com/malware.exe')).toBe(true);

    const handler = fake.state.ipcHandlers.get('glif:request')!;
    const ownPage = `${pathToFileURL(window!.loaded).href}#/runs`;
    const answer = await handler({ senderFrame: { url: ownPage, parent: null } }, 'system.info', {});
    expect(answer).toMatchObject({
      ok: true,
      data: { appName: 'GLIF Workbench', appVersion: '0.1.0-test', host: 'electron' },
    });
    const refused = await handler(
      { senderFrame: { url: 'https://evil.example/', parent: null } },
      'system.info',
      {},
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('focuses the existing window when a second instance starts', async () => {
    await startMain();
    fake.state.appListeners.get('second-instance')!();
    expect(fake.state.windows[0]!.calls).toEqual(['restore', 'show', 'focus']);
  });

  it('quits at once when another instance holds the lock', async () => {
    fake.state.lock = false;
    await startMain();
    expect(fake.state.quit).toBe(1);
    expect(fake.state.windows).toHaveLength(0);
    expect(fake.state.ipcHandlers.size).toBe(0);
  });

  it('quits only once the run in progress is stopped, recorded as interrupted and the store closed', async () => {
    await startMain();
    const request = fake.state.ipcHandlers.get('glif:request')!;
    const sender = { senderFrame: { url: pathToFileURL(fake.state.windows[0]!.loaded).href, parent: null } };
    const created = (await request(sender, 'runs.create', {
      preset: 'synthetic-mlp',
      values: {},
      start: true,
    })) as {
      ok: true;
      data: { id: string };
    };
    expect(created.ok).toBe(true);
    const [worker] = fake.state.workers;
    expect(worker!.messages).toMatchObject([{ type: 'start', runId: created.data.id }]);

    const quitAgain = new Promise<void>((resolve) => (fake.state.onQuit = resolve));
    let prevented = false;
    fake.state.appListeners.get('before-quit')!({ preventDefault: () => (prevented = true) });
    // Held back: the worker has not exited yet, so the store must stay open.
    expect(prevented).toBe(true);
    expect(fake.state.quit).toBe(0);
    await quitAgain;
    expect(worker!.killed).toBe(true);
    const db = new Database(join(fake.state.userData, DB_FILE_NAME), { readonly: true, fileMustExist: true });
    try {
      expect(db.prepare('SELECT status, error FROM runs WHERE id = ?').get(created.data.id)).toEqual({
        status: 'interrupted',
        error: expect.stringMatching(/the app was quit/),
      });
    } finally {
      db.close();
    }
    // The quit asked again once closed goes through.
    let preventedAgain = false;
    fake.state.appListeners.get('before-quit')!({ preventDefault: () => (preventedAgain = true) });
    expect(preventedAgain).toBe(false);
  });
});
