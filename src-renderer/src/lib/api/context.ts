import { getContext, setContext } from 'svelte';
import type { ApiClient } from './client';

/**
 * The one API client of the page, shared with every view through Svelte context: App sets it
 * once, views and components read it with `useApi()`.
 */
const KEY = Symbol('glif-api-client');

export function provideApi(client: ApiClient): void {
  setContext(KEY, client);
}

export function useApi(): ApiClient {
  const client = getContext<ApiClient | undefined>(KEY);
  if (!client) throw new Error('useApi() called outside the App (no API client in context)');
  return client;
}
