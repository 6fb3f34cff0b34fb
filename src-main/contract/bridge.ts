import type { Result } from './errors';
import type { EventHandler } from './events';
import type { RequestName, RequestParams, RequestResult } from './requests';

/** Name under which the preload exposes the bridge: `window.glif`. */
export const BRIDGE_GLOBAL = 'glif';

/** The IPC channels behind the bridge: one for requests (invoke), one for pushed events. */
export const IPC_REQUEST_CHANNEL = 'glif:request';
export const IPC_EVENT_CHANNEL = 'glif:event';

/**
 * The one object the preload exposes to the sandboxed renderer. Nothing else of Electron or Node is
 * reachable from the page.
 */
export interface GlifBridge {
  request<K extends RequestName>(name: K, params: RequestParams<K>): Promise<Result<RequestResult<K>>>;
  /** Subscribes to pushed events; returns the function that unsubscribes. */
  onEvent(handler: EventHandler): () => void;
}
