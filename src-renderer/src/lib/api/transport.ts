import type { EventHandler, RequestName, Result } from './contract';

/** How the UI is connected to the main side; shown in the header. */
export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/**
 * One way of reaching the main side. Untyped by request on purpose: `ApiClient` attaches the
 * contract's types on top, so both transports stay small.
 */
export interface Transport {
  readonly kind: 'electron' | 'websocket';
  request(name: RequestName, params: unknown): Promise<Result<unknown>>;
  onEvent(handler: EventHandler): () => void;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  close(): void;
}

export function failed(code: 'unavailable' | 'timeout' | 'internal', message: string): Result<never> {
  return { ok: false, error: { code, message } };
}
