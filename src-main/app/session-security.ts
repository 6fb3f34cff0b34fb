/**
 * Wires the rules of `security.ts` into Electron: CSP header on every response, no permission
 * prompts, no navigation away from our page, no new windows, no <webview>.
 */
import type { Session, Shell, WebContents } from 'electron';
import {
  contentSecurityPolicy,
  isAllowedExternalUrl,
  isTrustedRendererUrl,
  type RendererLocation,
} from './security';

export function installSessionSecurity(session: Session): void {
  const csp = contentSecurityPolicy('header');
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  // The workbench needs no camera, notifications, geolocation, ...: deny everything, ask nobody.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  // Exports (CSV, PNG, SVG) are blobs the page made itself: Electron asks where to save them with
  // the native save dialog. Downloads of anything else (a link to a remote file) are refused.
  session.on('will-download', (event, item) => {
    if (!item.getURL().startsWith('blob:')) event.preventDefault();
  });
}

/** Applied to every WebContents the app creates (`app.on('web-contents-created')`). */
export function hardenWebContents(contents: WebContents, renderer: RendererLocation, shell: Shell): void {
  const openIfAllowed = (url: string): void => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
  };

  contents.on('will-navigate', (event) => {
    // Reloads of our own page (e.g. the dev server's full reload) stay allowed.
    if (isTrustedRendererUrl(event.url, renderer)) return;
    event.preventDefault();
    openIfAllowed(event.url);
  });
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame && !isTrustedRendererUrl(event.url, renderer)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isTrustedRendererUrl(event.url, renderer)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openIfAllowed(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
