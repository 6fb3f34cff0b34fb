/**
 * `glif serve` against clients that misbehave on purpose, over real sockets to a real child
 * process, so an uncaught exception really ends it. Each test ends by checking that the same
 * process still serves the UI and answers an authenticated API request.
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, dataOf } from '../helpers/api-client';
import { closePayload, connectRaw, frame, rawUpgrade, upgradeRequest, type RawWs } from '../helpers/raw-ws';
import { openFds, startServe, type ServeProcess } from '../helpers/serve';

let serve: ServeProcess;
beforeEach(async () => {
  attemptError = undefined;
  serve = await startServe();
});
afterEach(async () => {
  await serve?.dispose();
});

/** The first failure of an attempt (a refused connection once the host has died, typically). */
let attemptError: unknown;

/** The host is alive and still does its job: the page over HTTP, a request over the API. */
async function expectStillServing(): Promise<void> {
  try {
    if (attemptError !== undefined) throw attemptError;
    const page = await fetch(`${serve.origin}/`);
    expect(page.status).toBe(200);
    const client = await ApiClient.connect(serve.port, serve.token, serve.origin);
    try {
      expect(dataOf(await client.request('system.info', {}))).toMatchObject({ host: 'browser' });
    } finally {
      client.close();
    }
  } catch (err) {
    // Give a dying host a moment to be reaped, so the report says how it ended.
    const exit = await Promise.race([
      serve.exited,
      new Promise((r) => setTimeout(() => r('still running'), 2000)),
    ]);
    throw new Error(
      `glif serve stopped serving (${JSON.stringify(exit)}): ${String(err)}\nstderr:\n${serve.stderr()}`,
    );
  }
  expect(serve.running()).toBe(true);
  expect(serve.stderr()).toBe('');
}

/**
 * Runs `attempt` `count` times, `parallel` at a time; returns how many ran. The first failure
 * stops the rest and is reported by expectStillServing, with the host's state and stderr.
 */
async function repeat(
  count: number,
  parallel: number,
  attempt: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  let ran = 0;
  const lane = async () => {
    while (next < count && attemptError === undefined) {
      const i = next++;
      try {
        await attempt(i);
        ran++;
      } catch (err) {
        attemptError ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return ran;
}

/** An authenticated raw WebSocket, or null with the failure kept for expectStillServing. */
async function upgradeOrRecord(): Promise<RawWs | null> {
  try {
    return await rawUpgrade(serve.port, serve.token, serve.origin);
  } catch (err) {
    attemptError ??= err;
    return null;
  }
}

/** Settles once the socket has closed (a reset we sent, or the server's own close). */
function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

describe('glif serve under hostile clients', () => {
  it('survives WebSocket upgrades without the right token cut off by a TCP reset', async () => {
    const port = serve.port;
    const wrong = upgradeRequest({ port, token: 'not-the-token' });
    const missing = upgradeRequest({ port, token: null });
    const wrongOrigin = upgradeRequest({ port, token: serve.token, origin: 'https://evil.example' });
    // Each variant opens a connection, sends (part of) a refused upgrade, and resets the
    // connection at a different moment relative to the server's 401/403.
    const variants: Array<[string, (s: net.Socket, i: number) => void]> = [
      ['wrong token, reset at once', (s) => (s.write(wrong), s.resetAndDestroy())],
      ['missing token, reset at once', (s) => (s.write(missing), s.resetAndDestroy())],
      ['wrong token, reset once flushed', (s) => s.write(wrong, () => s.resetAndDestroy())],
      [
        'wrong token, reset mid-request',
        (s, i) => (s.write(wrong.slice(0, 1 + ((i * 7) % (wrong.length - 1)))), s.resetAndDestroy()),
      ],
      [
        'wrong token, reset as the 401 arrives',
        (s) => (s.once('data', () => s.resetAndDestroy()), s.write(wrong)),
      ],
      ['wrong Origin, reset at once', (s) => (s.write(wrongOrigin), s.resetAndDestroy())],
    ];
    const perVariant = 60;
    let tries = 0;
    for (const [, variant] of variants) {
      tries += await repeat(perVariant, 10, async (i) => {
        const socket = await connectRaw(port);
        socket.on('error', () => {}); // our own reset
        variant(socket, i);
        await closed(socket);
      });
    }
    console.log(
      `[hostile] refused upgrades with a reset: ${tries} connections (${variants.length} variants x ${perVariant})`,
    );
    await expectStillServing();
  });

  it('closes a WebSocket that breaks the protocol with the right code, and keeps serving', async () => {
    const TEXT = 0x1;
    const BINARY = 0x2;
    const CONTINUATION = 0x0;
    const CLOSE = 0x8;
    const PING = 0x9;
    const overLimit = 2 * 1024 * 1024; // the host accepts frames up to 1 MiB
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    // Expected codes (RFC 6455 7.4.1): 1002 protocol error, 1007 invalid data, 1009 too big.
    const cases: Array<[string, Buffer[], number]> = [
      [
        'frame announcing 2 MiB',
        [frame({ opcode: BINARY, declaredLength: overLimit, payload: chunk })],
        1009,
      ],
      [
        'fragments adding up to over 1 MiB',
        [
          frame({ opcode: TEXT, fin: false, payload: chunk }),
          ...Array.from({ length: 4 }, () => frame({ opcode: CONTINUATION, fin: false, payload: chunk })),
        ],
        1009,
      ],
      [
        'invalid UTF-8 in a text frame',
        [frame({ opcode: TEXT, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) })],
        1007,
      ],
      ['reserved opcode 0x3', [frame({ opcode: 0x3, payload: Buffer.from('x') })], 1002],
      ['unmasked client frame', [frame({ opcode: TEXT, payload: Buffer.from('{}'), mask: false })], 1002],
      ['RSV1 without an extension', [frame({ opcode: TEXT, payload: Buffer.from('{}'), rsv: 4 })], 1002],
      ['fragmented ping', [frame({ opcode: PING, fin: false })], 1002],
      ['ping over 125 bytes', [frame({ opcode: PING, payload: Buffer.alloc(126) })], 1002],
      [
        'continuation with nothing to continue',
        [frame({ opcode: CONTINUATION, payload: Buffer.from('x') })],
        1002,
      ],
      ['close with an invalid code', [frame({ opcode: CLOSE, payload: closePayload(999) })], 1002],
      [
        'close with an invalid UTF-8 reason',
        [frame({ opcode: CLOSE, payload: closePayload(1000, Buffer.from([0xc3])) })],
        1007,
      ],
    ];
    const rounds = 5;
    let tries = 0;
    cases: for (let round = 0; round < rounds; round++) {
      for (const [name, frames, code] of cases) {
        const ws = await upgradeOrRecord();
        if (!ws) break cases; // the host is gone: expectStillServing says how it ended
        try {
          for (const f of frames) ws.send(f);
          expect(await ws.closeFrame, name).toBe(code);
        } finally {
          ws.destroy();
        }
        tries++;
      }
    }
    console.log(`[hostile] protocol errors: ${tries} connections (${cases.length} kinds x ${rounds})`);
    await expectStillServing();
  });

  it('lets go of a refused upgrade whose client never closes its side', async () => {
    const before = openFds(serve.pid);
    const held: net.Socket[] = [];
    const count = 100;
    try {
      for (let i = 0; i < count; i++) {
        // allowHalfOpen: the client reads the refusal to its end and keeps its own side open.
        const socket = net.connect({ port: serve.port, host: '127.0.0.1', allowHalfOpen: true });
        held.push(socket);
        socket.on('error', () => {});
        const request = upgradeRequest({ port: serve.port, token: i % 2 ? null : 'not-the-token' });
        socket.write(
          i % 3
            ? request
            : upgradeRequest({ port: serve.port, token: serve.token, origin: 'https://evil.example' }),
        );
        const answer = await new Promise<string>((resolve) => {
          let text = '';
          socket.on('data', (b: Buffer) => (text += b.toString('latin1')));
          socket.once('end', () => resolve(text));
        });
        expect(answer).toMatch(/^HTTP\/1\.1 40[13] /);
      }
      console.log(`[hostile] refused upgrades held half-open: ${count} connections`);
      await expectStillServing();
      // The host answered each and closed its socket; it holds about what it held before
      // (a few for the checks just made), not one per refused client.
      expect(openFds(serve.pid)).toBeLessThan(before + 10);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});
