/**
 * Runs src-main/app/preload.ts against stand-ins for Electron's `contextBridge` and `ipcRenderer`:
 * what the page gets (one object, two functions), which IPC channels it touches (the contract's
 * two, nothing else), and that event subscriptions come and go cleanly.
 */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BRIDGE_GLOBAL,
  IPC_EVENT_CHANNEL,
  IPC_REQUEST_CHANNEL,
  type GlifBridge,
} from '../../src-main/contract/bridge';
import type { AppEvent } from '../../src-main/contract/events';

type Listener = (...args: unknown[]) => void;

const fake = vi.hoisted(() => {
  /** Every call the preload made on ipcRenderer: method and channel. */
  const calls: { method: string; channel: string }[] = [];
  const exposed = new Map<string, unknown>();
  // ipcRenderer is an EventEmitter in Electron: main's webContents.send(channel, …) arrives as
  // an emit of 'channel' with an IpcRendererEvent first. (Hoisted code cannot import node:events.)
  const listeners = new Map<string, Listener[]>();
  const emitter = {
    on: (channel: string, l: Listener) => listeners.set(channel, [...(listeners.get(channel) ?? []), l]),
    removeListener: (channel: string, l: Listener) => {
      const list = listeners.get(channel) ?? [];
      const i = list.lastIndexOf(l);
      if (i >= 0) list.splice(i, 1);
    },
    emit: (channel: string, ...args: unknown[]) =>
      [...(listeners.get(channel) ?? [])].forEach((l) => l(...args)),
    listenerCount: (channel: string) => listeners.get(channel)?.length ?? 0,
    eventNames: () => [...listeners].filter(([, list]) => list.length > 0).map(([name]) => name),
  };
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => {
      calls.push({ method: 'invoke', channel });
      return Promise.resolve({ ok: true, value: { channel, args } });
    },
    on: (channel: string, listener: Listener) => {
      calls.push({ method: 'on', channel });
      emitter.on(channel, listener);
      return ipcRenderer;
    },
    removeListener: (channel: string, listener: Listener) => {
      calls.push({ method: 'removeListener', channel });
      emitter.removeListener(channel, listener);
      return ipcRenderer;
    },
    send: (channel: string) => calls.push({ method: 'send', channel }),
    sendSync: (channel: string) => calls.push({ method: 'sendSync', channel }),
    once: (channel: string) => calls.push({ method: 'once', channel }),
  };
  const contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => {
      if (exposed.has(key)) throw new Error(`${key} exposed twice`);
      exposed.set(key, api);
    },
  };
  return { calls, exposed, emitter, electron: { contextBridge, ipcRenderer } };
});

vi.mock('electron', () => fake.electron);

/** Main pushing an event to this window (`webContents.send(IPC_EVENT_CHANNEL, event)`). */
function push(channel: string, event: unknown): void {
  fake.emitter.emit(channel, { sender: fake.electron.ipcRenderer, ports: [] }, event);
}

const started: AppEvent = {
  type: 'run.status',
  payload: { runId: 'r1', status: 'running', error: null },
};

let bridge: GlifBridge;

beforeAll(async () => {
  await import('../../src-main/app/preload');
  bridge = fake.exposed.get(BRIDGE_GLOBAL) as GlifBridge;
});

beforeEach(() => {
  fake.calls.length = 0;
});

describe('preload bridge', () => {
  it('exposes one object, window.glif, with only request and onEvent', () => {
    expect([...fake.exposed.keys()]).toEqual([BRIDGE_GLOBAL]);
    expect(Object.keys(bridge).sort()).toEqual(['onEvent', 'request']);
    expect(typeof bridge.request).toBe('function');
    expect(typeof bridge.onEvent).toBe('function');
    // ipcRenderer itself, or any of its methods, never reaches the page.
    const values = Object.values(bridge) as unknown[];
    expect(values).not.toContain(fake.electron.ipcRenderer);
    for (const fn of Object.values(fake.electron.ipcRenderer)) expect(values).not.toContain(fn);
    // Loading it touched no channel: nothing is subscribed until the page asks.
    expect(fake.emitter.eventNames()).toEqual([]);
  });

  it('forwards a request on the request channel, as invoke, with its name and params', async () => {
    const result = await bridge.request('runs.list', { limit: 5 });
    expect(fake.calls).toEqual([{ method: 'invoke', channel: IPC_REQUEST_CHANNEL }]);
    expect(result).toEqual({
      ok: true,
      value: { channel: IPC_REQUEST_CHANNEL, args: ['runs.list', { limit: 5 }] },
    });
  });

  it('delivers the events of the event channel only, without the IPC event object', () => {
    const seen: unknown[][] = [];
    const off = bridge.onEvent((...args: unknown[]) => seen.push(args));
    expect(fake.calls).toEqual([{ method: 'on', channel: IPC_EVENT_CHANNEL }]);
    push(IPC_EVENT_CHANNEL, started);
    push('glif:other', { type: 'app.notice', payload: { level: 'info', message: 'not ours' } });
    push(IPC_REQUEST_CHANNEL, started);
    expect(seen).toEqual([[started]]);
    off();
  });

  it('unsubscribes exactly the handler whose function is called, once', () => {
    const a: AppEvent[] = [];
    const b: AppEvent[] = [];
    const offA = bridge.onEvent((e) => a.push(e));
    const offB = bridge.onEvent((e) => b.push(e));
    expect(fake.emitter.listenerCount(IPC_EVENT_CHANNEL)).toBe(2);
    push(IPC_EVENT_CHANNEL, started);
    offA();
    expect(fake.emitter.listenerCount(IPC_EVENT_CHANNEL)).toBe(1);
    const notice: AppEvent = { type: 'app.notice', payload: { level: 'warning', message: 'slow' } };
    push(IPC_EVENT_CHANNEL, notice);
    expect(a).toEqual([started]);
    expect(b).toEqual([started, notice]);
    // Calling it again removes nothing else.
    offA();
    expect(fake.emitter.listenerCount(IPC_EVENT_CHANNEL)).toBe(1);
    offB();
    expect(fake.emitter.listenerCount(IPC_EVENT_CHANNEL)).toBe(0);
    push(IPC_EVENT_CHANNEL, started);
    expect(b).toEqual([started, notice]);
  });

  it('the same handler subscribed twice is two subscriptions, each removed by its own function', () => {
    const seen: AppEvent[] = [];
    const handler = (e: AppEvent) => seen.push(e);
    const off1 = bridge.onEvent(handler);
    const off2 = bridge.onEvent(handler);
    push(IPC_EVENT_CHANNEL, started);
    expect(seen).toHaveLength(2);
    off1();
    push(IPC_EVENT_CHANNEL, started);
    expect(seen).toHaveLength(3);
    off2();
    expect(fake.emitter.listenerCount(IPC_EVENT_CHANNEL)).toBe(0);
  });

  it('uses no IPC channel but the contract’s two, and never send or sendSync', async () => {
    const off = bridge.onEvent(() => {});
    await bridge.request('system.info', {});
    off();
    const channels = new Set(fake.calls.map((c) => c.channel));
    expect([...channels].sort()).toEqual([IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL].sort());
    expect(fake.calls.map((c) => c.method).sort()).toEqual(['invoke', 'on', 'removeListener']);
  });
});
