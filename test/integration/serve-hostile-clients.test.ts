/**
 * `glif serve` against clients that misbehave on purpose, over real sockets to a real child
 * process, so an uncaught exception really ends it. Each test ends by checking that the same
 * process still serves the UI and answers an authenticated API request.
 */
import type net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, dataOf } from '../helpers/api-client';
import { connectRaw, upgradeRequest } from '../helpers/raw-ws';
import { startServe, type ServeProcess } from '../helpers/serve';

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
});
