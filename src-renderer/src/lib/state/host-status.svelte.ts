/**
 * What the UI knows about the main side it talks to: the connection state of the transport and the
 * answer of `system.info`.
 */
import type { ApiClient } from '../api/client';
import type { ContractError, SystemInfo } from '../api/contract';
import type { ConnectionStatus } from '../api/transport';

export type SystemInfoState =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly info: SystemInfo }
  | { readonly kind: 'failed'; readonly error: ContractError };

export class HostStatus {
  readonly #client: ApiClient;
  #connection = $state<ConnectionStatus>('connecting');
  #system = $state<SystemInfoState>({ kind: 'loading' });

  constructor(client: ApiClient) {
    this.#client = client;
  }

  get connection(): ConnectionStatus {
    return this.#connection;
  }

  get system(): SystemInfoState {
    return this.#system;
  }

  get hostLabel(): string {
    return this.#client.transportKind === 'electron' ? 'Desktop app' : 'Browser';
  }

  /**
   * Reads system info now, follows the connection state, and reads it again when a lost connection
   * comes back. Returns the function that stops following.
   */
  follow(): () => void {
    const stop = this.#client.onStatus((status) => {
      this.#connection = status;
      if (status === 'open' && this.#system.kind === 'failed') void this.refresh();
    });
    void this.refresh();
    return stop;
  }

  async refresh(): Promise<void> {
    if (this.#system.kind !== 'ready') this.#system = { kind: 'loading' };
    const result = await this.#client.request('system.info', {});
    this.#system = result.ok ? { kind: 'ready', info: result.data } : { kind: 'failed', error: result.error };
  }
}
