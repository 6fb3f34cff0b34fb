import type net from 'node:net';
import { expect } from 'vitest';
import { ApiClient, dataOf } from './api-client';
import { closePayload, connectRaw, frame, rawUpgrade, readStatusLine, upgradeRequest } from './raw-ws';

/**
 * Misbehaving clients of a `glif serve` host, each a function that does its damage over real
 * sockets and says how many cases it tried. They fail (throw) when the host answers wrongly or
 * cannot be reached; the caller then tells whether the host is still alive.
 */

export interface Target {
  readonly port: number;
  readonly token: string;
  readonly origin: string;
}

/** Runs `attempt(i)` for i < count, `parallel` at a time; the first failure stops the rest. */
export async function inParallel(
  count: number,
  parallel: number,
  attempt: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < count && !failed) {
      try {
        await attempt(next++);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
  return count;
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

/**
 * Refused upgrades (wrong or missing token, wrong Origin) cut off by a TCP reset at different
 * moments relative to the host's 401/403: before it, as it is written, part-way through the
 * request, as it arrives.
 */
export async function refusedUpgradesWithReset(t: Target, perVariant: number): Promise<string> {
  const { port } = t;
  const wrong = upgradeRequest({ port, token: 'not-the-token' });
  const missing = upgradeRequest({ port, token: null });
  const wrongOrigin = upgradeRequest({ port, token: t.token, origin: 'https://evil.example' });
  const cut = (i: number) => 1 + ((i * 7) % (wrong.length - 1)); // replayable cut points
  const variants: Array<(s: net.Socket, i: number) => void> = [
    (s) => (s.write(wrong), s.resetAndDestroy()),
    (s) => (s.write(missing), s.resetAndDestroy()),
    (s) => s.write(wrong, () => s.resetAndDestroy()),
    (s, i) => (s.write(wrong.slice(0, cut(i))), s.resetAndDestroy()),
    (s) => (s.once('data', () => s.resetAndDestroy()), s.write(wrong)),
    (s) => (s.write(wrongOrigin), s.resetAndDestroy()),
  ];
  let tries = 0;
  for (const variant of variants) {
    tries += await inParallel(perVariant, 10, async (i) => {
      const socket = await connectRaw(port);
      socket.on('error', () => {}); // our own reset
      variant(socket, i);
      await closed(socket);
    });
  }
  return `${tries} connections (${variants.length} variants x ${perVariant})`;
}

const TEXT = 0x1;
const BINARY = 0x2;
const CONTINUATION = 0x0;
const CLOSE = 0x8;
const PING = 0x9;

/**
 * Frames that break RFC 6455, with the close code the host must answer (7.4.1): 1002 protocol
 * error, 1007 invalid data, 1009 too big (the host accepts frames up to 1 MiB).
 */
export const PROTOCOL_ERRORS: ReadonlyArray<{ name: string; frames: () => Buffer[]; code: number }> = [
  {
    name: 'frame announcing 2 MiB',
    frames: () => [frame({ opcode: BINARY, declaredLength: 2 << 20, payload: Buffer.alloc(256 << 10) })],
    code: 1009,
  },
  {
    name: 'fragments adding up to over 1 MiB',
    frames: () => [
      frame({ opcode: TEXT, fin: false, payload: Buffer.alloc(256 << 10, 0x61) }),
      ...Array.from({ length: 4 }, () =>
        frame({ opcode: CONTINUATION, fin: false, payload: Buffer.alloc(256 << 10, 0x61) }),
      ),
    ],
    code: 1009,
  },
  {
    name: 'invalid UTF-8 in a text frame',
    frames: () => [frame({ opcode: TEXT, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) })],
    code: 1007,
  },
  {
    name: 'reserved opcode 0x3',
    frames: () => [frame({ opcode: 0x3, payload: Buffer.from('x') })],
    code: 1002,
  },
  {
    name: 'unmasked client frame',
    frames: () => [frame({ opcode: TEXT, payload: Buffer.from('{}'), mask: false })],
    code: 1002,
  },
  {
    name: 'RSV1 without an extension',
    frames: () => [frame({ opcode: TEXT, payload: Buffer.from('{}'), rsv: 4 })],
    code: 1002,
  },
  { name: 'fragmented ping', frames: () => [frame({ opcode: PING, fin: false })], code: 1002 },
  {
    name: 'ping over 125 bytes',
    frames: () => [frame({ opcode: PING, payload: Buffer.alloc(126) })],
    code: 1002,
  },
  {
    name: 'continuation with nothing to continue',
    frames: () => [frame({ opcode: CONTINUATION, payload: Buffer.from('x') })],
    code: 1002,
  },
  {
    name: 'close with an invalid code',
    frames: () => [frame({ opcode: CLOSE, payload: closePayload(999) })],
    code: 1002,
  },
  {
    name: 'close with an invalid UTF-8 reason',
    frames: () => [frame({ opcode: CLOSE, payload: closePayload(1000, Buffer.from([0xc3])) })],
    code: 1007,
  },
  {
    name: 'text that is not a request',
    frames: () => [frame({ opcode: TEXT, payload: Buffer.from('{"kind":"request"') })],
    code: 1003,
  },
];

/** Each protocol error on its own authenticated connection, `rounds` times; checks the close code. */
export async function protocolErrors(t: Target, rounds: number): Promise<string> {
  let tries = 0;
  for (let round = 0; round < rounds; round++) {
    for (const { name, frames, code } of PROTOCOL_ERRORS) {
      const ws = await rawUpgrade(t.port, t.token, t.origin);
      try {
        for (const f of frames()) ws.send(f);
        expect(await ws.closeFrame, name).toBe(code);
      } finally {
        ws.destroy();
      }
      tries++;
    }
  }
  return `${tries} connections (${PROTOCOL_ERRORS.length} kinds x ${rounds})`;
}

/** Connections held open in the middle of nothing: silent, or with headers cut off. */
export async function holdHalfOpen(
  t: Target,
  perKind: number,
): Promise<{ summary: string; release: () => void }> {
  const upgrade = upgradeRequest({ port: t.port, token: t.token, origin: t.origin });
  const kinds = [
    '', // connect and send nothing
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${t.port}\r\n`, // a page request without its blank line
    upgrade.slice(0, upgrade.length - 2), // an authenticated upgrade without its blank line
    'GET /api?tok', // cut inside the request line
  ];
  const sockets: net.Socket[] = [];
  for (const text of kinds) {
    for (let i = 0; i < perKind; i++) {
      const socket = await connectRaw(t.port);
      socket.on('error', () => {});
      if (text) socket.write(text);
      sockets.push(socket);
    }
  }
  return {
    summary: `${sockets.length} connections (${kinds.length} kinds x ${perKind})`,
    release: () => sockets.forEach((s) => s.destroy()),
  };
}

/** Authenticated upgrades sent a few bytes at a time; each must still be accepted (101) in the end. */
export async function slowUpgrades(t: Target, count: number, bytesPerWrite = 8): Promise<string> {
  await inParallel(count, count, async () => {
    const socket = await connectRaw(t.port);
    try {
      const status = readStatusLine(socket);
      const request = upgradeRequest({ port: t.port, token: t.token, origin: t.origin });
      for (let at = 0; at < request.length; at += bytesPerWrite) {
        // Each write waits for the previous one to be flushed and a turn of the event loop.
        await new Promise<void>((resolve) =>
          socket.write(request.slice(at, at + bytesPerWrite), () => resolve()),
        );
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await status).toBe('HTTP/1.1 101 Switching Protocols');
    } finally {
      socket.destroy();
    }
  });
  return `${count} connections`;
}

/** Upgrades with the token but another page's Origin are refused (403); ours are accepted. */
export async function wrongOrigins(t: Target): Promise<string> {
  const port = t.port;
  const refused = [
    'https://evil.example',
    'null',
    `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}`,
    `https://127.0.0.1:${port}`,
    `http://127.0.0.1:${port}.evil.example`,
    `http://localhost.evil.example:${port}`,
    `http://127.0.0.1:${port}/`,
    `http://evil.example/http://127.0.0.1:${port}`,
  ];
  const accepted = [t.origin, `http://localhost:${port}`, undefined];
  const statusFor = async (origin: string | undefined) => {
    const socket = await connectRaw(port);
    try {
      const status = readStatusLine(socket);
      socket.write(upgradeRequest({ port, token: t.token, origin }));
      return await status;
    } finally {
      socket.destroy();
    }
  };
  for (const origin of refused) expect(await statusFor(origin), origin).toBe('HTTP/1.1 403 Forbidden');
  for (const origin of accepted)
    expect(await statusFor(origin), origin).toBe('HTTP/1.1 101 Switching Protocols');
  return `${refused.length} refused Origins, ${accepted.length} accepted`;
}

/** `count` API clients connected at once, each answered; and as many page requests at once. */
export async function concurrentClients(t: Target, count: number): Promise<string> {
  const clients = await Promise.all(
    Array.from({ length: count }, () => ApiClient.connect(t.port, t.token, t.origin)),
  );
  try {
    const answers = await Promise.all(clients.map((c) => c.request('system.info', {})));
    for (const a of answers) expect(dataOf(a)).toMatchObject({ host: 'browser' });
  } finally {
    for (const c of clients) c.close();
  }
  const pages = await Promise.all(Array.from({ length: count }, () => fetch(`${t.origin}/`)));
  for (const p of pages) expect(p.status).toBe(200);
  return `${count} WebSocket clients and ${count} page requests at once`;
}

/** `clients` clients each send `perClient` requests without waiting; every one is answered. */
export async function requestFlood(t: Target, clients: number, perClient: number): Promise<string> {
  await inParallel(clients, clients, async () => {
    const client = await ApiClient.connect(t.port, t.token, t.origin);
    try {
      const names = ['system.info', 'runs.queue', 'runs.list'];
      const answers = await Promise.all(
        Array.from({ length: perClient }, (_, i) => client.request(names[i % names.length], {}, 60_000)),
      );
      for (const a of answers) expect(a.ok).toBe(true);
    } finally {
      client.close();
    }
  });
  return `${clients * perClient} requests (${clients} clients x ${perClient}, none awaited before the next)`;
}
