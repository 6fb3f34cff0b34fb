/**
 * The pure, testable half of the Electron hardening: what the window is allowed to do, which pages
 * count as ours, and the Content-Security-Policy. `session-security.ts` wires these into Electron.
 * Only type imports from 'electron' here, so tests run without the Electron binary.
 */
import type { WebPreferences } from 'electron';
import { missingCase } from '../contract/exhaustive';

/** The renderer is locked down: no Node, isolated world, OS sandbox, same-origin policy on. */
export function buildWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/**
 * CSP directives, in one place for the response header and the `<meta>` of index.html (a unit test
 * keeps the two equal).
 *
 * style-src needs 'unsafe-inline': Svelte writes static `style="..."` attributes through template
 * cloning, its transitions add `<style>` elements at run time, and Vite's dev server injects
 * component CSS as `<style>` tags. Inline styles cannot run code; scripts stay 'self' only, with no
 * 'unsafe-inline' and no 'unsafe-eval'.
 * connect-src: 'self' covers the same-origin WebSocket of the headless host; ws://127.0.0.1:* a
 * local host on another port.
 */
const CSP_DIRECTIVES: ReadonlyArray<readonly [directive: string, sources: string]> = [
  ['default-src', "'self'"],
  ['script-src', "'self'"],
  ['style-src', "'self' 'unsafe-inline'"],
  ['img-src', "'self' data: blob:"],
  ['font-src', "'self'"],
  ['connect-src', "'self' ws://127.0.0.1:*"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

/** Browsers ignore (and warn about) frame-ancestors in a `<meta>` CSP; only the header carries it. */
const HEADER_ONLY_DIRECTIVES = new Set(['frame-ancestors']);

export function contentSecurityPolicy(delivery: 'header' | 'meta' = 'header'): string {
  return CSP_DIRECTIVES.filter(
    ([directive]) => delivery === 'header' || !HEADER_ONLY_DIRECTIVES.has(directive),
  )
    .map(([directive, sources]) => `${directive} ${sources}`)
    .join('; ');
}

/**
 * Origins the app may open in the user's browser (never inside the app). Everything else is denied.
 * Exact https origins only.
 */
export const EXTERNAL_LINK_ORIGINS: readonly string[] = [
  'https://arxiv.org',
  'https://openreview.net',
  'https://proceedings.neurips.cc',
  'https://github.com',
];

export function isAllowedExternalUrl(
  url: string,
  allowedOrigins: readonly string[] = EXTERNAL_LINK_ORIGINS,
): boolean {
  const parsed = safeUrl(url);
  if (!parsed || parsed.protocol !== 'https:' || parsed.username !== '' || parsed.password !== '')
    return false;
  return allowedOrigins.includes(parsed.origin);
}

/** Where our renderer is loaded from: the built index.html, or electron-vite's dev server. */
export type RendererLocation =
  | { readonly kind: 'file'; readonly indexUrl: string }
  | { readonly kind: 'dev-server'; readonly origin: string };

export function rendererLocation(indexFileUrl: string, devServerUrl: string | undefined): RendererLocation {
  const dev = devServerUrl ? safeUrl(devServerUrl) : null;
  if (dev && (dev.protocol === 'http:' || dev.protocol === 'https:')) {
    return { kind: 'dev-server', origin: dev.origin };
  }
  return { kind: 'file', indexUrl: indexFileUrl };
}

/**
 * True when `url` is a page of our own renderer. IPC requests from any other frame are refused, and
 * navigation to anything else is blocked. Hash and query are ignored (the UI routes by hash).
 */
export function isTrustedRendererUrl(url: string, location: RendererLocation): boolean {
  const parsed = safeUrl(url);
  if (!parsed) return false;
  switch (location.kind) {
    case 'file': {
      const index = safeUrl(location.indexUrl);
      return (
        index !== null &&
        parsed.protocol === 'file:' &&
        parsed.pathname === index.pathname &&
        parsed.host === index.host
      );
    }
    case 'dev-server':
      return parsed.origin === location.origin;
    default:
      return missingCase(location);
  }
}

function safeUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
