/**
 * Lets pending I/O callbacks, timers and messages run; used between chunks of long work (data
 * loading, training steps) so a cancel or a progress request is answered while it runs.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
