import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMain, Session, Shell, WebContents } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDispatcher, requests, type Result } from '../../src-main/contract';
import { checkSender, registerIpcRouter } from '../../src-main/app/ipc-router';
import { createRequestHandlers } from '../../src-main/service/request-handlers';
import { testWorkbench } from '../helpers/workbench';
import {
  buildWebPreferences,
  contentSecurityPolicy,
  isAllowedExternalUrl,
  isTrustedRendererUrl,
  rendererLocation,
  type RendererLocation,
} from '../../src-main/app/security';
import { hardenWebContents, installSessionSecurity } from '../../src-main/app/session-security';
import {
  loadWindowState,
  parseWindowState,
  saveWindowState,
  type Rect,
} from '../../src-main/app/window-state';

const INDEX_URL = 'file:///opt/glif/resources/app.asar/out/renderer/index.html';
const fileRenderer: RendererLocation = rendererLocation(INDEX_URL, undefined);
const devRenderer: RendererLocation = rendererLocation(INDEX_URL, 'http://localhost:5173/');

describe('BrowserWindow web preferences', () => {
  it('isolate the page from Node and Electron', () => {
    const prefs = buildWebPreferences('/app/out/preload/index.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});

describe('Content-Security-Policy', () => {
  const header = contentSecurityPolicy('header');
  const directives = new Map(
    header.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources] as const;
    }),
  );

  it('never allows eval or inline scripts', () => {
    expect(header).not.toContain('unsafe-eval');
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
  });

  it('forbids plugins, base rewriting and framing', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('leaves frame-ancestors out of the <meta> variant only', () => {
    const meta = contentSecurityPolicy('meta');
    expect(meta).not.toContain('frame-ancestors');
    expect(header.startsWith(meta)).toBe(true);
  });

  it('matches the <meta> tag of index.html', () => {
    const html = readFileSync(join(import.meta.dirname, '../../src-renderer/index.html'), 'utf8');
    const match = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(match?.[1]).toBe(contentSecurityPolicy('meta'));
  });
});

describe('trusted pages and external links', () => {
  it('trusts our built index.html whatever its hash or query', () => {
    expect(isTrustedRendererUrl(INDEX_URL, fileRenderer)).toBe(true);
    expect(isTrustedRendererUrl(`${INDEX_URL}#/compare`, fileRenderer)).toBe(true);
    expect(isTrustedRendererUrl(`${INDEX_URL}?x=1`, fileRenderer)).toBe(true);
  });

  it('distrusts other files, other origins and garbage', () => {
    expect(isTrustedRendererUrl('file:///etc/passwd', fileRenderer)).toBe(false);
    expect(
      isTrustedRendererUrl('file:///opt/glif/resources/app.asar/out/renderer/other.html', fileRenderer),
    ).toBe(false);
    expect(isTrustedRendererUrl('https://example.com/index.html', fileRenderer)).toBe(false);
    expect(isTrustedRendererUrl('not a url', fileRenderer)).toBe(false);
    expect(isTrustedRendererUrl('', fileRenderer)).toBe(false);
  });

  it('trusts exactly the dev server origin under electron-vite dev', () => {
    expect(devRenderer).toEqual({ kind: 'dev-server', origin: 'http://localhost:5173' });
    expect(isTrustedRendererUrl('http://localhost:5173/#/runs', devRenderer)).toBe(true);
    expect(isTrustedRendererUrl('http://localhost:5174/', devRenderer)).toBe(false);
    expect(isTrustedRendererUrl(INDEX_URL, devRenderer)).toBe(false);
  });

  it('ignores a dev server URL that is not http(s)', () => {
    expect(rendererLocation(INDEX_URL, 'file:///tmp/evil.html')).toEqual({
      kind: 'file',
      indexUrl: INDEX_URL,
    });
    expect(rendererLocation(INDEX_URL, 'nonsense')).toEqual({ kind: 'file', indexUrl: INDEX_URL });
  });

  it('opens only allow-listed https origins externally', () => {
    expect(isAllowedExternalUrl('https://arxiv.org/abs/2210.13768')).toBe(true);
    expect(isAllowedExternalUrl('https://github.com/Ikarosy/Gated-LIF')).toBe(true);
    expect(isAllowedExternalUrl('http://arxiv.org/abs/1')).toBe(false);
    expect(isAllowedExternalUrl('https://arxiv.org.evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@github.com/')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false);
  });
});

/** A stand-in WebContents recording its listeners, so the hardening can be driven without Electron. */
function fakeContents() {
  const listeners = new Map<string, (event: FakeNavigation) => void>();
  let openHandler: ((details: { url: string }) => { action: string }) | undefined;
  const contents = {
    on(name: string, listener: (event: FakeNavigation) => void) {
      listeners.set(name, listener);
      return contents;
    },
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      openHandler = handler;
    },
  };
  const navigate = (name: string, url: string, isMainFrame = true): boolean => {
    const event = { url, isMainFrame, prevented: false, preventDefault: () => (event.prevented = true) };
    listeners.get(name)?.(event);
    return event.prevented;
  };
  return {
    contents: contents as unknown as WebContents,
    navigate,
    openWindow: (url: string) => openHandler?.({ url }),
    has: (name: string) => listeners.has(name),
  };
}

interface FakeNavigation {
  url: string;
  isMainFrame: boolean;
  prevented: boolean;
  preventDefault(): void;
}

describe('web contents hardening', () => {
  const openExternal = vi.fn(async () => {});
  const shell = { openExternal } as unknown as Shell;
  beforeEach(() => openExternal.mockClear());

  it('blocks navigation away from our page, opening allow-listed links in the browser', () => {
    const fake = fakeContents();
    hardenWebContents(fake.contents, fileRenderer, shell);
    expect(fake.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(openExternal).not.toHaveBeenCalled();
    expect(fake.navigate('will-navigate', 'https://arxiv.org/abs/2210.13768')).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('https://arxiv.org/abs/2210.13768');
    expect(fake.navigate('will-navigate', `${INDEX_URL}#/runs`)).toBe(false);
  });

  it('blocks sub-frame navigation and redirects elsewhere', () => {
    const fake = fakeContents();
    hardenWebContents(fake.contents, fileRenderer, shell);
    expect(fake.navigate('will-frame-navigate', 'https://evil.example/', false)).toBe(true);
    expect(fake.navigate('will-redirect', 'https://evil.example/')).toBe(true);
    expect(fake.navigate('will-attach-webview', 'https://evil.example/')).toBe(true);
  });

  it('denies every new window', () => {
    const fake = fakeContents();
    hardenWebContents(fake.contents, fileRenderer, shell);
    expect(fake.openWindow('https://evil.example/')).toEqual({ action: 'deny' });
    expect(fake.openWindow('https://github.com/')).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledTimes(1);
  });

  it('sets the CSP header on responses and denies permission requests', () => {
    let onHeaders: ((details: object, callback: (response: object) => void) => void) | undefined;
    let onPermission:
      ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined;
    let onCheck: (() => boolean) | undefined;
    let onDownload: ((event: { preventDefault(): void }, item: { getURL(): string }) => void) | undefined;
    const session = {
      on: (name: string, listener: typeof onDownload) => {
        if (name === 'will-download') onDownload = listener;
      },
      webRequest: { onHeadersReceived: (listener: typeof onHeaders) => (onHeaders = listener) },
      setPermissionRequestHandler: (handler: typeof onPermission) => (onPermission = handler),
      setPermissionCheckHandler: (handler: typeof onCheck) => (onCheck = handler),
    } as unknown as Session;
    installSessionSecurity(session);

    const answer = vi.fn();
    onHeaders?.({ responseHeaders: { 'Content-Type': ['text/html'] } }, answer);
    expect(answer).toHaveBeenCalledWith({
      responseHeaders: {
        'Content-Type': ['text/html'],
        'Content-Security-Policy': [contentSecurityPolicy('header')],
      },
    });
    const granted = vi.fn();
    onPermission?.({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(onCheck?.()).toBe(false);
    // Blob exports the page made are saved (with Electron's save dialog); remote downloads are not.
    const refused = (url: string) => {
      const event = { preventDefault: vi.fn() };
      onDownload?.(event, { getURL: () => url });
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(onDownload).toBeTypeOf('function');
    expect(refused('blob:http://127.0.0.1:7420/1f2e')).toBe(false);
    expect(refused('https://example.com/x.zip')).toBe(true);
  });
});

describe('IPC router', () => {
  const dispatch = createDispatcher(
    requests,
    createRequestHandlers(
      { appName: 'GLIF Workbench', appVersion: '1.0.0', host: 'electron' },
      testWorkbench(),
    ),
  );

  function registered() {
    let handler: ((event: object, name: unknown, params: unknown) => Promise<Result<unknown>>) | undefined;
    const ipcMain = {
      handle: (_channel: string, listener: typeof handler) => (handler = listener),
      removeHandler: vi.fn(),
    } as unknown as IpcMain;
    const stop = registerIpcRouter(ipcMain, dispatch, fileRenderer);
    return {
      call: (event: object, name: unknown, params: unknown) => handler!(event, name, params),
      stop,
      ipcMain,
    };
  }

  it('routes requests from our top frame to the dispatcher', async () => {
    const { call } = registered();
    const result = await call(
      { senderFrame: { url: `${INDEX_URL}#/runs`, parent: null } },
      'system.info',
      {},
    );
    expect(result).toMatchObject({ ok: true, data: { appVersion: '1.0.0', host: 'electron' } });
  });

  it('refuses foreign pages, sub-frames and destroyed frames with forbidden', async () => {
    const { call } = registered();
    const foreign = await call(
      { senderFrame: { url: 'https://evil.example/', parent: null } },
      'system.info',
      {},
    );
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(checkSender({ senderFrame: null }, fileRenderer)).toBe(false);
    const child = { senderFrame: { url: INDEX_URL, parent: {} } } as unknown as Parameters<
      typeof checkSender
    >[0];
    expect(checkSender(child, fileRenderer)).toBe(false);
  });

  it('validates params after the sender check', async () => {
    const { call } = registered();
    const result = await call({ senderFrame: { url: INDEX_URL, parent: null } }, 'system.info', { x: 1 });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_params' } });
  });
});

describe('window state', () => {
  const display: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
  const rightDisplay: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };
  const good = { x: 100, y: 80, width: 1280, height: 820, maximized: false };

  it('accepts a window that lies on a display', () => {
    expect(parseWindowState(good, [display])).toEqual(good);
    expect(parseWindowState({ ...good, x: 2500 }, [display, rightDisplay])).toEqual({ ...good, x: 2500 });
  });

  it('defaults a missing maximized flag', () => {
    const { maximized: _maximized, ...bounds } = good;
    expect(parseWindowState(bounds, [display])).toEqual({ ...bounds, maximized: false });
  });

  it('accepts a window hanging partly off screen while its title bar is reachable', () => {
    expect(parseWindowState({ ...good, x: 1500 }, [display])).not.toBeNull();
  });

  it.each([
    ['not an object', 'hello'],
    ['null', null],
    ['a missing field', { x: 1, y: 1, width: 1200 }],
    ['NaN', { ...good, x: Number.NaN }],
    ['a fractional size', { ...good, width: 1000.5 }],
    ['a negative size', { ...good, width: -1280 }],
    ['a size below the minimum', { ...good, width: 200, height: 100 }],
    ['absurd coordinates', { ...good, x: 1e9 }],
    ['a string number', { ...good, y: '80' }],
  ])('rejects %s', (_label, raw) => {
    expect(parseWindowState(raw, [display])).toBeNull();
  });

  it('rejects a window on a display that is gone', () => {
    expect(parseWindowState({ ...good, x: 2500 }, [display])).toBeNull();
  });

  it('rejects a window whose title bar is above the screen', () => {
    expect(parseWindowState({ ...good, y: -500 }, [display])).toBeNull();
  });

  it('rejects a window with only a sliver on screen', () => {
    expect(parseWindowState({ ...good, x: 1900 }, [display])).toBeNull();
  });

  it('rejects everything when no display is known', () => {
    expect(parseWindowState(good, [])).toBeNull();
  });

  describe('on disk', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'glif-window-state-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('round-trips through the JSON file, rounding to whole pixels', () => {
      const file = join(dir, 'nested', 'window-state.json');
      saveWindowState(file, { x: 100.4, y: 80.6, width: 1280, height: 820, maximized: true });
      expect(loadWindowState(file, [display])).toEqual({
        x: 100,
        y: 81,
        width: 1280,
        height: 820,
        maximized: true,
      });
    });

    it('treats a missing or corrupt file as no saved state', () => {
      const file = join(dir, 'window-state.json');
      expect(loadWindowState(file, [display])).toBeNull();
      writeFileSync(file, '{"x": 100, "y": ');
      expect(loadWindowState(file, [display])).toBeNull();
      writeFileSync(file, '[1,2,3]');
      expect(loadWindowState(file, [display])).toBeNull();
    });
  });
});
