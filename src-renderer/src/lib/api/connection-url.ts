/**
 * Where the browser build finds the headless host's WebSocket, and the access token it needs. The
 * host prints a URL like `http://127.0.0.1:7420/?token=...` (or `#token=...`); the token is taken
 * out of the address bar once read, so it does not linger in history or screenshots.
 */
import type { API_TOKEN_PARAM as TokenParam, API_WS_PATH as WsPath } from './contract';

const API_WS_PATH: typeof WsPath = '/api';
const API_TOKEN_PARAM: typeof TokenParam = 'token';

export interface PageLocation {
  readonly protocol: string;
  readonly host: string;
  readonly search: string;
  readonly hash: string;
}

export interface ApiEndpoint {
  readonly url: string;
  /** `null` when the page carries no token (the host will refuse the socket). */
  readonly token: string | null;
  /** The page's search and hash with the token removed, for `history.replaceState`. */
  readonly cleanedSearch: string;
  readonly cleanedHash: string;
}

export function apiEndpoint(location: PageLocation, rememberedToken: string | null = null): ApiEndpoint {
  const search = new URLSearchParams(location.search);
  // The hash may be a route (`#/runs`) or parameters (`#token=...`); only the latter is parsed.
  const hashText = location.hash.replace(/^#/, '');
  const hashParams = hashText.startsWith('/') ? new URLSearchParams() : new URLSearchParams(hashText);

  const token = search.get(API_TOKEN_PARAM) ?? hashParams.get(API_TOKEN_PARAM) ?? rememberedToken;
  search.delete(API_TOKEN_PARAM);
  hashParams.delete(API_TOKEN_PARAM);

  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?${API_TOKEN_PARAM}=${encodeURIComponent(token)}` : '';
  const remainingSearch = search.toString();
  const remainingHash = hashText.startsWith('/') ? hashText : hashParams.toString();
  return {
    url: `${scheme}//${location.host}${API_WS_PATH}${query}`,
    token,
    cleanedSearch: remainingSearch ? `?${remainingSearch}` : '',
    cleanedHash: remainingHash ? `#${remainingHash}` : '',
  };
}
