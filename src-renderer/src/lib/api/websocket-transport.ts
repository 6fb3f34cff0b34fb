/**
 * Talks to the headless host over one WebSocket. Requests carry a correlation id that the host's
 * response repeats; pushed events carry none. The socket is opened on first use and re-opened with
 * a growing delay while anyone listens for events.
 */
import type { AppEvent, ContractError, EventHandler, RequestFrame, Result, ServerFrame } from './contract';
import { missingCase } from './exhaustive';
import { failed, type ConnectionStatus, type Transport } from './transport';

/** What the transport needs of a socket; `browserSocket` adapts the DOM WebSocket. */
export interface SocketHandle {
  send(data: string): void;
  close(): void;
}

export interface SocketCallbacks {
  open(): void;
  message(data: string): void;
  /** Called once, whether the socket failed to open or closed later. */
  close(): void;
}

/** Opens a socket; like the DOM WebSocket, it must call the callbacks asynchronously, never from inside. */
export type SocketFactory = (url: string, callbacks: SocketCallbacks) => SocketHandle;

export interface WebSocketTransportOptions {
  readonly url: string;
  readonly connect: SocketFactory;
  readonly requestTimeoutMs?: number;
  readonly reconnectDelaysMs?: readonly number[];
}

interface Pending {
  readonly resolve: (result: Result<unknown>) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Requests that do real work before they answer: `runs.estimate` builds the run's network and times
 * a few training steps in a worker (a minute for ResNet-34 at 224 px on a CPU thread).
 */
const SLOW_REQUEST_TIMEOUT_MS: Readonly<Record<string, number>> = { 'runs.estimate': 10 * 60_000 };
const DEFAULT_RECONNECT_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

export class WebSocketTransport implements Transport {
  readonly kind = 'websocket';
  readonly #options: WebSocketTransportOptions;
  #socket: SocketHandle | null = null;
  #status: ConnectionStatus = 'closed';
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  /** Frames sent while the socket was still opening. */
  #outbox: string[] = [];
  readonly #eventHandlers = new Set<EventHandler>();
  readonly #statusListeners = new Set<(status: ConnectionStatus) => void>();
  #reconnectAttempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #closedByUser = false;

  constructor(options: WebSocketTransportOptions) {
    this.#options = options;
  }

  request(name: string, params: unknown): Promise<Result<unknown>> {
    const id = this.#nextId++;
    const frame: RequestFrame = { kind: 'request', id, name, params };
    return new Promise((resolve) => {
      const timeoutMs = Math.max(
        this.#options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
        SLOW_REQUEST_TIMEOUT_MS[name] ?? 0,
      );
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(failed('timeout', `No answer to '${name}' within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, timer });
      this.#send(JSON.stringify(frame));
    });
  }

  onEvent(handler: EventHandler): () => void {
    this.#eventHandlers.add(handler);
    this.#ensureOpen();
    return () => this.#eventHandlers.delete(handler);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.#statusListeners.add(listener);
    listener(this.#status);
    return () => this.#statusListeners.delete(listener);
  }

  close(): void {
    this.#closedByUser = true;
    clearTimeout(this.#reconnectTimer);
    this.#socket?.close();
    this.#socket = null;
    this.#failPending('The connection was closed.');
    this.#setStatus('closed');
  }

  #send(data: string): void {
    if (this.#status === 'open' && this.#socket) {
      this.#socket.send(data);
      return;
    }
    this.#outbox.push(data);
    this.#ensureOpen();
  }

  #ensureOpen(): void {
    if (this.#socket || this.#closedByUser) return;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#setStatus('connecting');
    let socket: SocketHandle | null = null;
    let opened = false;
    socket = this.#options.connect(this.#options.url, {
      open: () => {
        if (socket === null || this.#socket !== socket) return;
        opened = true;
        this.#reconnectAttempt = 0;
        this.#setStatus('open');
        const outbox = this.#outbox;
        this.#outbox = [];
        for (const data of outbox) socket.send(data);
      },
      message: (data) => {
        if (socket !== null && this.#socket === socket) this.#receive(data);
      },
      close: () => {
        if (socket === null || this.#socket !== socket) return;
        this.#socket = null;
        this.#outbox = [];
        this.#failPending(
          opened
            ? 'Lost the connection to the GLIF host.'
            : `Could not connect to the GLIF host at ${this.#displayUrl()}.`,
        );
        this.#setStatus('closed');
        this.#scheduleReconnect();
      },
    });
    this.#socket = socket;
  }

  #receive(data: string): void {
    const frame = parseServerFrame(data);
    if (!frame) return; // Not ours or malformed: ignore rather than break the connection.
    switch (frame.kind) {
      case 'response': {
        const pending = this.#pending.get(frame.id);
        if (!pending) return; // Timed out already.
        this.#pending.delete(frame.id);
        clearTimeout(pending.timer);
        pending.resolve(frame.result);
        return;
      }
      case 'event':
        for (const handler of this.#eventHandlers) handler(frame.event);
        return;
      default:
        missingCase(frame);
    }
  }

  #failPending(message: string): void {
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.resolve(failed('unavailable', message));
      this.#pending.delete(id);
    }
  }

  #scheduleReconnect(): void {
    // Requests reconnect on demand; only event listeners need the socket kept open.
    if (this.#closedByUser || this.#eventHandlers.size === 0) return;
    const delays = this.#options.reconnectDelaysMs ?? DEFAULT_RECONNECT_DELAYS_MS;
    const delay = delays[Math.min(this.#reconnectAttempt, delays.length - 1)] ?? 30_000;
    this.#reconnectAttempt += 1;
    this.#reconnectTimer = setTimeout(() => this.#ensureOpen(), delay);
  }

  /** The socket URL without its query, which holds the access token. */
  #displayUrl(): string {
    return this.#options.url.split('?')[0] ?? this.#options.url;
  }

  #setStatus(status: ConnectionStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    for (const listener of this.#statusListeners) listener(status);
  }
}

const NON_FINITE: Readonly<Record<string, number>> = {
  Infinity: Infinity,
  '-Infinity': -Infinity,
  NaN: Number.NaN,
};

/**
 * The host tags the numbers JSON cannot hold (a diverged loss) as `{"$nonFinite": "Infinity"}`
 * (src-main/contract/json-numbers.ts, which the renderer may only import types from): turn them
 * back into numbers, so they are shown as such instead of as missing values.
 */
function reviveNonFinite(_key: string, value: unknown): unknown {
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  const name = value['$nonFinite'];
  return keys.length === 1 && typeof name === 'string' && Object.hasOwn(NON_FINITE, name)
    ? NON_FINITE[name]
    : value;
}

/** Structural check of what the host sends; the host is ours, but the socket is a trust boundary. */
export function parseServerFrame(data: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(data, reviveNonFinite);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  if (value['kind'] === 'response' && typeof value['id'] === 'number') {
    const result = parseResult(value['result']);
    return result ? { kind: 'response', id: value['id'], result } : null;
  }
  if (value['kind'] === 'event' && isRecord(value['event']) && typeof value['event']['type'] === 'string') {
    return { kind: 'event', event: value['event'] as unknown as AppEvent };
  }
  return null;
}

function parseResult(value: unknown): Result<unknown> | null {
  if (!isRecord(value)) return null;
  if (value['ok'] === true) return { ok: true, data: value['data'] };
  const error = value['error'];
  if (value['ok'] === false && isRecord(error) && typeof error['code'] === 'string') {
    const message = typeof error['message'] === 'string' ? error['message'] : 'The host reported an error.';
    return { ok: false, error: { code: error['code'], message } as ContractError };
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
