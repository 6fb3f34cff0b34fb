/**
 * The typed face of the contract for the UI. It sits on a `Transport` (Electron bridge or WebSocket)
 * and never knows which; platform-neutral, so it is unit-tested under Node.
 */
import type {
  ContractError,
  EventHandler,
  RequestName,
  RequestParams,
  RequestResult,
  Result,
} from './contract';
import type { ConnectionStatus, Transport } from './transport';

/** A failed request, for callers that prefer `await client.call(...)` inside try/catch. */
export class ApiError extends Error {
  readonly code: ContractError['code'];
  constructor(error: ContractError) {
    super(error.message);
    this.name = 'ApiError';
    this.code = error.code;
  }
}

export class ApiClient {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  get transportKind(): Transport['kind'] {
    return this.#transport.kind;
  }

  /** Resolves to `{ ok, data }` or `{ ok: false, error }`; never rejects. */
  request<K extends RequestName>(name: K, params: RequestParams<K>): Promise<Result<RequestResult<K>>> {
    // The transport is untyped by request; the main side answers `name` with RequestResult<K>.
    return this.#transport.request(name, params) as Promise<Result<RequestResult<K>>>;
  }

  /** Resolves to the data, or throws an `ApiError` with the contract's error code. */
  async call<K extends RequestName>(name: K, params: RequestParams<K>): Promise<RequestResult<K>> {
    const result = await this.request(name, params);
    if (!result.ok) throw new ApiError(result.error);
    return result.data;
  }

  onEvent(handler: EventHandler): () => void {
    return this.#transport.onEvent(handler);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    return this.#transport.onStatus(listener);
  }

  close(): void {
    this.#transport.close();
  }
}
