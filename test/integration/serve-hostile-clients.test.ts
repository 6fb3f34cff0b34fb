/**
 * `glif serve` against clients that misbehave on purpose, over real sockets to a real child
 * process, so an uncaught exception really ends it. Each test ends by checking that the same
 * process still serves the page and answers an authenticated API request, with no error on
 * stderr. Each prints how many cases it tried ([hostile] lines).
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent, RunRecord } from '../../src-main/contract';
import { ApiClient, dataOf } from '../helpers/api-client';
import {
  concurrentClients,
  holdHalfOpen,
  protocolErrors,
  refusedUpgradesWithReset,
  requestFlood,
  slowUpgrades,
  wrongOrigins,
} from '../helpers/hostile';
import { upgradeRequest } from '../helpers/raw-ws';
import { openFds, startServe, type ServeProcess } from '../helpers/serve';

let serve: ServeProcess;
beforeEach(async () => {
  serve = await startServe();
});
afterEach(async () => {
  await serve?.dispose();
});

/**
 * Runs an attack, then checks that the host is alive and still does its job: the page over
 * HTTP, a request over the API, nothing on stderr. A failure says how the host ended, if it did.
 */
async function survives(label: string, attack: () => Promise<string>): Promise<void> {
  let failure: unknown;
  try {
    console.log(`[hostile] ${label}: ${await attack()}`);
  } catch (err) {
    failure = err;
  }
  try {
    if (failure !== undefined) throw failure;
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
      new Promise((resolve) => setTimeout(() => resolve('still running'), 2000)),
    ]);
    throw new Error(
      `${label}: ${String(err)}\nglif serve: ${JSON.stringify(exit)}; stderr:\n${serve.stderr()}`,
    );
  }
  expect(serve.running()).toBe(true);
  // Not "empty": a training worker shares stderr, and native TF.js may log there.
  expect(serve.stderr()).not.toMatch(/^\s+at |Unhandled|Uncaught|Error:/m);
}

describe('glif serve under hostile clients', () => {
  it('survives WebSocket upgrades without the right token cut off by a TCP reset', async () => {
    await survives('refused upgrades with a reset', () => refusedUpgradesWithReset(serve, 60));
  });

  it('closes a WebSocket that breaks the protocol with the right code, and keeps serving', async () => {
    await survives('protocol errors', () => protocolErrors(serve, 5));
  });

  it('lets go of a refused upgrade whose client never closes its side', async () => {
    const before = openFds(serve.pid);
    const held: net.Socket[] = [];
    const count = 100;
    try {
      await survives('refused upgrades held half-open', async () => {
        for (let i = 0; i < count; i++) {
          // allowHalfOpen: the client reads the refusal to its end and keeps its own side open.
          const socket = net.connect({ port: serve.port, host: '127.0.0.1', allowHalfOpen: true });
          held.push(socket);
          socket.on('error', () => {});
          const token = i % 2 ? null : 'not-the-token';
          const origin = i % 3 ? undefined : 'https://evil.example';
          socket.write(upgradeRequest({ port: serve.port, token: origin ? serve.token : token, origin }));
          const answer = await new Promise<string>((resolve) => {
            let text = '';
            socket.on('data', (b: Buffer) => (text += b.toString('latin1')));
            socket.once('end', () => resolve(text));
          });
          expect(answer).toMatch(/^HTTP\/1\.1 40[13] /);
        }
        return `${count} connections`;
      });
      // The host answered each and closed its socket: it holds about what it held before
      // (a few for the checks just made), not one per refused client.
      expect(openFds(serve.pid)).toBeLessThan(before + 10);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  it('keeps serving while silent, cut-off and slow clients hold connections', async () => {
    const halfOpen = await holdHalfOpen(serve, 40);
    try {
      console.log(`[hostile] half-open connections held: ${halfOpen.summary}`);
      await survives('slow authenticated upgrades, while those are held', () => slowUpgrades(serve, 10));
    } finally {
      halfOpen.release();
    }
    await survives('after the half-open connections are dropped', async () => 'none');
  });

  it('refuses an upgrade with the token from another Origin', async () => {
    await survives('Origins', () => wrongOrigins(serve));
  });

  it('serves 200 clients at once', async () => {
    await survives('concurrent connections', () => concurrentClients(serve, 200));
  });

  it('answers every request of a bounded flood', async () => {
    await survives('request flood', () => requestFlood(serve, 4, 1000));
  });

  it('a run streaming meanwhile completes with all its events', async () => {
    const watcher = await ApiClient.connect(serve.port, serve.token, serve.origin);
    try {
      const run = dataOf<RunRecord>(
        await watcher.request('runs.create', {
          preset: 'synthetic-mlp',
          values: { 'train.epochs': 3 },
          start: true,
        }),
      );
      const ofRun = (e: AppEvent) => 'runId' in e.payload && e.payload.runId === run.id;
      await watcher.waitForEvent((e) => ofRun(e) && e.type === 'run.step');
      const stepCount = () => watcher.events.filter((e) => ofRun(e) && e.type === 'run.step').length;
      const stepsBefore = stepCount();
      await survives('everything at once, during a run', async () => {
        const halfOpen = await holdHalfOpen(serve, 10);
        try {
          const done = await Promise.all([
            refusedUpgradesWithReset(serve, 15),
            protocolErrors(serve, 1),
            slowUpgrades(serve, 5),
            wrongOrigins(serve),
            concurrentClients(serve, 50),
            requestFlood(serve, 2, 250),
          ]);
          return [`half-open ${halfOpen.summary}`, ...done].join('; ');
        } finally {
          halfOpen.release();
        }
      });
      // The run really streamed while the host was under attack.
      const stepsDuring = stepCount() - stepsBefore;
      expect(stepsDuring).toBeGreaterThan(0);
      const end = await watcher.waitForEvent(
        (e) => ofRun(e) && e.type === 'run.status' && e.payload.status !== 'running',
        90_000,
      );
      expect(end.payload).toMatchObject({ status: 'completed' });
      // Every event of the run reached the watcher, once and in order.
      const events = watcher.events.filter(ofRun);
      const started = events.filter((e) => e.type === 'run.started');
      expect(started).toHaveLength(1);
      const { epochs, stepsPerEpoch } = started[0]!.payload as { epochs: number; stepsPerEpoch: number };
      const steps = events.flatMap((e) => (e.type === 'run.step' ? [e.payload.step] : []));
      expect(steps).toEqual(Array.from({ length: epochs * stepsPerEpoch }, (_, i) => i));
      const epochEvents = events.flatMap((e) => (e.type === 'run.epoch' ? [e.payload.epoch] : []));
      expect(epochEvents).toEqual(Array.from({ length: epochs }, (_, i) => i));
      console.log(
        `[hostile] the run streamed all its ${steps.length} steps (${stepsDuring} during the attacks) and ${epochEvents.length} epochs`,
      );
    } finally {
      watcher.close();
    }
  });
});
