/**
 * Builds the UI's API client for this page: through `window.glif` when the Electron preload provides
 * it, otherwise over a WebSocket to the headless host; views never know which. This folder is the
 * only part of the API layer that touches the DOM; the modules in api/ itself are platform-neutral
 * and unit-tested under Node.
 */
import { ApiClient } from '../client';
import { apiEndpoint } from '../connection-url';
import type { GlifBridge } from '../contract';
import { electronTransport } from '../electron-transport';
import { WebSocketTransport, type SocketFactory } from '../websocket-transport';

export { ApiClient, ApiError } from '../client';

declare global {
  interface Window {
    /** Present only inside the Electron app (exposed by the preload). */
    readonly glif?: GlifBridge;
  }
}

const TOKEN_STORAGE_KEY = 'glif.apiToken';

/** Picks the transport for this page. */
export function createApiClient(page: Window = window): ApiClient {
  if (page.glif) return new ApiClient(electronTransport(page.glif));

  const endpoint = apiEndpoint(page.location, readRememberedToken(page));
  if (endpoint.token) {
    // Kept for reloads of this tab, and taken out of the address bar.
    rememberToken(page, endpoint.token);
    const { pathname } = page.location;
    page.history.replaceState(
      page.history.state,
      '',
      `${pathname}${endpoint.cleanedSearch}${endpoint.cleanedHash}`,
    );
  }
  return new ApiClient(new WebSocketTransport({ url: endpoint.url, connect: browserSocket }));
}

// Storage can be disabled; the token in the URL then still works for this page load.
function readRememberedToken(page: Window): string | null {
  try {
    return page.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

function rememberToken(page: Window, token: string): void {
  try {
    page.sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // See readRememberedToken.
  }
}

/** Adapts the DOM WebSocket to the transport's socket interface. */
const browserSocket: SocketFactory = (url, callbacks) => {
  const socket = new WebSocket(url);
  let closed = false;
  const closeOnce = (): void => {
    if (closed) return;
    closed = true;
    callbacks.close();
  };
  socket.addEventListener('open', () => callbacks.open());
  socket.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof event.data === 'string') callbacks.message(event.data);
  });
  socket.addEventListener('close', closeOnce);
  socket.addEventListener('error', closeOnce);
  return {
    send: (data) => socket.send(data),
    close: () => socket.close(),
  };
};
