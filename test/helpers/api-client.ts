import WebSocket from 'ws';
import type { AppEvent, Result, ServerFrame } from '../../src-main/contract';

/**
 * A WebSocket client of the host's API, as the browser UI talks to it: requests answered by
 * id, events collected in order. Waits are driven by the frames themselves, never by polling.
 */
export class ApiClient {
  readonly events: AppEvent[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private readonly watchers = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      if (frame.kind === 'response') {
        this.pending.get(frame.id)?.(frame.result);
        this.pending.delete(frame.id);
      } else {
        this.events.push(frame.event);
        for (const w of this.watchers) w();
      }
    });
  }

  static connect(port: number, token: string, origin: string): Promise<ApiClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`, { origin });
      ws.once('open', () => resolve(new ApiClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  request(name: string, params: unknown, timeoutMs = 30_000): Promise<Result<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no response to ${name} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.ws.send(JSON.stringify({ kind: 'request', id, name, params }));
    });
  }

  /** Resolves with the first event (already received or to come) that matches. */
  waitForEvent(match: (e: AppEvent) => boolean, timeoutMs = 60_000): Promise<AppEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find(match);
        if (!found) return false;
        this.watchers.delete(onEvent);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const onEvent = () => void check();
      const timer = setTimeout(() => {
        this.watchers.delete(onEvent);
        reject(
          new Error(`no matching event in ${timeoutMs} ms; got ${this.events.map((e) => e.type).join(', ')}`),
        );
      }, timeoutMs);
      if (!check()) this.watchers.add(onEvent);
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

/** The data of a successful result; throws with the error otherwise. */
export function dataOf<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`request failed: ${JSON.stringify(result.error)}`);
  return result.data as T;
}
