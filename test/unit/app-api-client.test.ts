import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '../../src-renderer/src/lib/api/client';
import { apiEndpoint } from '../../src-renderer/src/lib/api/connection-url';
import type { AppEvent } from '../../src-renderer/src/lib/api/contract';
import type { ConnectionStatus } from '../../src-renderer/src/lib/api/transport';
import {
  parseServerFrame,
  WebSocketTransport,
  type SocketCallbacks,
  type SocketFactory,
} from '../../src-renderer/src/lib/api/websocket-transport';

describe('API endpoint of the headless host', () => {
  const page = { protocol: 'http:', host: '127.0.0.1:7420', search: '', hash: '' };

  it('reads the token from the query and strips it', () => {
    const endpoint = apiEndpoint({ ...page, search: '?token=s3cr%2Bt&lang=en', hash: '#/compare' });
    expect(endpoint.url).toBe('ws://127.0.0.1:7420/api?token=s3cr%2Bt');
    expect(endpoint.token).toBe('s3cr+t');
    expect(endpoint.cleanedSearch).toBe('?lang=en');
    expect(endpoint.cleanedHash).toBe('#/compare');
  });

  it('reads the token from the hash', () => {
    const endpoint = apiEndpoint({ ...page, hash: '#token=abc' });
    expect(endpoint.token).toBe('abc');
    expect(endpoint.cleanedHash).toBe('');
  });

  it('uses wss behind https and falls back to a remembered token', () => {
    const endpoint = apiEndpoint({ ...page, protocol: 'https:', host: 'lab.example:8443' }, 'kept');
    expect(endpoint.url).toBe('wss://lab.example:8443/api?token=kept');
  });

  it('connects without a token when there is none (the host then refuses)', () => {
    expect(apiEndpoint(page)).toMatchObject({ url: 'ws://127.0.0.1:7420/api', token: null });
  });
});

/** A socket under the test's control: it opens, answers and closes when told to. */
class FakeSocket {
  readonly sent: { kind: string; id: number; name: string; params: unknown }[] = [];
  closed = false;
  constructor(
    readonly url: string,
    private readonly callbacks: SocketCallbacks,
  ) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.callbacks.open();
  }
  receive(frame: unknown) {
    this.callbacks.message(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
  drop() {
    this.callbacks.close();
  }
}

function fakeHost() {
  const sockets: FakeSocket[] = [];
  const connect: SocketFactory = (url, callbacks) => {
    const socket = new FakeSocket(url, callbacks);
    sockets.push(socket);
    return socket;
  };
  return { sockets, connect, latest: () => sockets[sockets.length - 1]! };
}

describe('WebSocket transport', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('queues requests until the socket opens, then matches responses by id', async () => {
    const host = fakeHost();
    const transport = new WebSocketTransport({ url: 'ws://h/api?token=t', connect: host.connect });
    const first = transport.request('system.info', {});
    const second = transport.request('system.info', { again: true });
    expect(host.sockets).toHaveLength(1);
    const socket = host.latest();
    expect(socket.sent).toEqual([]);

    socket.open();
    expect(socket.sent.map((frame) => frame.kind)).toEqual(['request', 'request']);
    const [a, b] = socket.sent;
    expect(a!.id).not.toBe(b!.id);
    expect(b!.params).toEqual({ again: true });

    // Answered out of order: each promise still gets its own answer.
    socket.receive({ kind: 'response', id: b!.id, result: { ok: true, data: 'second' } });
    socket.receive({
      kind: 'response',
      id: a!.id,
      result: { ok: false, error: { code: 'internal', message: 'x' } },
    });
    expect(await first).toEqual({ ok: false, error: { code: 'internal', message: 'x' } });
    expect(await second).toEqual({ ok: true, data: 'second' });
  });

  it('times out a request that gets no answer', async () => {
    const host = fakeHost();
    const transport = new WebSocketTransport({
      url: 'ws://h/api',
      connect: host.connect,
      requestTimeoutMs: 1000,
    });
    const pending = transport.request('system.info', {});
    host.latest().open();
    vi.advanceTimersByTime(1001);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'timeout' } });
    // A late answer is ignored rather than crashing anything.
    host.latest().receive({ kind: 'response', id: host.latest().sent[0]!.id, result: { ok: true, data: 1 } });
  });

  it('fails pending requests as unavailable when the connection cannot be made, without leaking the token', async () => {
    const host = fakeHost();
    const transport = new WebSocketTransport({ url: 'ws://h/api?token=secret', connect: host.connect });
    const pending = transport.request('system.info', {});
    host.latest().drop();
    const result = await pending;
    expect(result).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    if (!result.ok) expect(result.error.message).not.toContain('secret');
  });

  it('reconnects for a new request after the socket closed', async () => {
    const host = fakeHost();
    const transport = new WebSocketTransport({ url: 'ws://h/api', connect: host.connect });
    const lost = transport.request('system.info', {});
    host.latest().open();
    host.latest().drop();
    expect(await lost).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const again = transport.request('system.info', {});
    expect(host.sockets).toHaveLength(2);
    host.latest().open();
    host.latest().receive({ kind: 'response', id: host.latest().sent[0]!.id, result: { ok: true, data: 7 } });
    expect(await again).toEqual({ ok: true, data: 7 });
  });

  it('delivers pushed events and reconnects with a delay while someone listens', () => {
    const host = fakeHost();
    const transport = new WebSocketTransport({
      url: 'ws://h/api',
      connect: host.connect,
      reconnectDelaysMs: [100, 400],
    });
    const events: AppEvent[] = [];
    const statuses: ConnectionStatus[] = [];
    transport.onStatus((status) => statuses.push(status));
    const stop = transport.onEvent((event) => events.push(event));
    host.latest().open();
    const notice: AppEvent = { type: 'app.notice', payload: { level: 'info', message: 'hello' } };
    host.latest().receive({ kind: 'event', event: notice });
    expect(events).toEqual([notice]);

    host.latest().drop();
    expect(host.sockets).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(host.sockets).toHaveLength(2);
    host.latest().drop();
    vi.advanceTimersByTime(399);
    expect(host.sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(host.sockets).toHaveLength(3);
    expect(statuses).toEqual([
      'closed',
      'connecting',
      'open',
      'closed',
      'connecting',
      'closed',
      'connecting',
    ]);

    // Nobody listening any more: no further reconnects.
    stop();
    host.latest().drop();
    vi.advanceTimersByTime(60_000);
    expect(host.sockets).toHaveLength(3);
  });

  it('ignores malformed frames', () => {
    expect(parseServerFrame('not json')).toBeNull();
    expect(parseServerFrame('[]')).toBeNull();
    expect(parseServerFrame(JSON.stringify({ kind: 'response', id: '1', result: { ok: true } }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ kind: 'response', id: 1, result: { ok: 'yes' } }))).toBeNull();
    expect(parseServerFrame(JSON.stringify({ kind: 'event', event: { payload: {} } }))).toBeNull();
    expect(
      parseServerFrame(JSON.stringify({ kind: 'response', id: 1, result: { ok: true, data: null } })),
    ).toEqual({
      kind: 'response',
      id: 1,
      result: { ok: true, data: null },
    });
  });

  it('closes for good when asked', async () => {
    const host = fakeHost();
    const transport = new WebSocketTransport({ url: 'ws://h/api', connect: host.connect });
    transport.onEvent(() => {});
    const pending = transport.request('system.info', {});
    transport.close();
    expect(host.latest().closed).toBe(true);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    vi.advanceTimersByTime(60_000);
    expect(host.sockets).toHaveLength(1);
  });
});

describe('ApiClient', () => {
  it('resolves call() to the data and throws ApiError with the code otherwise', async () => {
    const host = fakeHost();
    const client = new ApiClient(new WebSocketTransport({ url: 'ws://h/api', connect: host.connect }));
    expect(client.transportKind).toBe('websocket');

    const good = client.call('system.info', {});
    host.latest().open();
    host.latest().receive({
      kind: 'response',
      id: host.latest().sent[0]!.id,
      result: { ok: true, data: { appVersion: '1.2.3' } },
    });
    expect(await good).toEqual({ appVersion: '1.2.3' });

    const bad = client.call('system.info', {});
    host.latest().receive({
      kind: 'response',
      id: host.latest().sent[1]!.id,
      result: { ok: false, error: { code: 'invalid_params', message: 'nope' } },
    });
    await expect(bad).rejects.toBeInstanceOf(ApiError);
    await expect(bad).rejects.toMatchObject({ code: 'invalid_params', message: 'nope' });
  });
});
