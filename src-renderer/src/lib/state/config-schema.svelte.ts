/**
 * The host's config schema (fields, presets, neuron variants), asked for once per page and shared
 * with every view through Svelte context: App provides it, views read it with `useConfigSchema()`.
 * The schema describes the host's code, which cannot change under a running page, so one answer
 * serves every view; after a failed answer the next view (or Retry) that needs it asks again.
 */
import { getContext, setContext } from 'svelte';
import type { ApiClient } from '../api/client';
import type { ConfigField, ConfigSchema, Preset, VariantDescription } from '../api/contract';
import type { LoadState } from './load-state';

export class ConfigSchemaSource {
  readonly #client: ApiClient;
  #state = $state.raw<LoadState<ConfigSchema>>({ kind: 'loading' });
  /** The request in flight, so that views mounting together share one. */
  #pending: Promise<LoadState<ConfigSchema>> | null = null;

  constructor(client: ApiClient) {
    this.#client = client;
  }

  get state(): LoadState<ConfigSchema> {
    return this.#state;
  }

  /** The neuron variants; empty until the schema is in (views then show variant ids). */
  get variants(): readonly VariantDescription[] {
    return this.#state.kind === 'ready' ? this.#state.value.variants : [];
  }

  /** The config fields; empty until the schema is in (Compare then shows stored values as they are). */
  get fields(): readonly ConfigField[] {
    return this.#state.kind === 'ready' ? this.#state.value.fields : [];
  }

  /** The presets; empty until the schema is in (the run page then shows no reported accuracy). */
  get presets(): readonly Preset[] {
    return this.#state.kind === 'ready' ? this.#state.value.presets : [];
  }

  /** Resolves with the schema's state: asks the host the first time, and again after a failure. */
  load(): Promise<LoadState<ConfigSchema>> {
    if (this.#state.kind === 'ready') return Promise.resolve(this.#state);
    this.#pending ??= this.#fetch();
    return this.#pending;
  }

  async #fetch(): Promise<LoadState<ConfigSchema>> {
    this.#state = { kind: 'loading' };
    try {
      const result = await this.#client.request('config.schema', {});
      this.#state = result.ok
        ? { kind: 'ready', value: result.data }
        : { kind: 'failed', error: result.error };
      return this.#state;
    } finally {
      this.#pending = null;
    }
  }
}

const KEY = Symbol('glif-config-schema');

export function provideConfigSchema(source: ConfigSchemaSource): void {
  setContext(KEY, source);
}

export function useConfigSchema(): ConfigSchemaSource {
  const source = getContext<ConfigSchemaSource | undefined>(KEY);
  if (!source) throw new Error('useConfigSchema() called outside the App (no config schema in context)');
  return source;
}
