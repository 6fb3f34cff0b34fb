import type { GlifBridge } from './contract';
import { failed, type Transport } from './transport';

/** Talks to the main process through the preload bridge (`window.glif`). */
export function electronTransport(bridge: GlifBridge): Transport {
  return {
    kind: 'electron',
    async request(name, params) {
      try {
        // The bridge's generic signature cannot be met with a runtime name; the main side validates.
        return await bridge.request(name, params as never);
      } catch (error) {
        // Only happens when the main process has no handler (e.g. still starting) or went away.
        return failed('unavailable', `The main process did not answer: ${String(error)}`);
      }
    },
    onEvent: (handler) => bridge.onEvent(handler),
    onStatus(listener) {
      listener('open');
      return () => {};
    },
    close() {},
  };
}
