import type { ApiClient } from '../api/client';
import type { AppEvent } from '../api/contract';

/**
 * The way every live view follows the host: load now, take pushed events, and load again when a
 * lost connection comes back (events sent meanwhile are gone). Returns the function that stops.
 */
export function followHost(
  client: ApiClient,
  load: () => Promise<void>,
  onEvent: (event: AppEvent) => void,
): () => void {
  let lostConnection = false;
  const stopEvents = client.onEvent(onEvent);
  const stopStatus = client.onStatus((status) => {
    if (status === 'closed') lostConnection = true;
    if (status === 'open' && lostConnection) {
      lostConnection = false;
      void load();
    }
  });
  void load();
  return () => {
    stopEvents();
    stopStatus();
  };
}
