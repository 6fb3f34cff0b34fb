import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { failure } from '../../contract/dispatch';
import type { AppEvent, EventMap, EventName } from '../../contract/events';
import { API_TOKEN_PARAM, API_WS_PATH, clientFrameSchema, type ServerFrame } from '../../contract/wire';
import type { RunStore } from '../../runs/store/run-store';
import type { BackendName } from '../../engine/backend';
import { createMainSide } from '../../service/main-side';
import type { HostDescription } from '../../service/request-handlers';
import type { Workbench } from '../../service/workbench';
import { createStaticHandler } from './static-files';
import { toWireJson } from '../../contract/json-numbers';

export interface HostServerOptions {
  readonly rendererDir: string;
  readonly store: RunStore;
  readonly dataDir: string;
  readonly host: HostDescription;
  readonly port?: number;
  /** Fixed token (tests); a random one otherwise. */
  readonly token?: string;
  readonly backend?: BackendName;
  /** Training threads of each run (default: GLIF_THREADS, else every core). */
  readonly threads?: number;
}

export interface RunningHost {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly workbench: Workbench;
  /** Stops runs (stored `interrupted` with `reason`), then connections, then the store. */
  close(reason: string): Promise<void>;
}

/** Largest request frame accepted from a browser. */
const MAX_FRAME_BYTES = 1 << 20;

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Answers a refused upgrade, then closes the socket once the answer is written. end() alone
 * half-closes it, and the HTTP server's sockets allow half-open connections: a client that
 * never closes its side would hold the socket (a file descriptor) for good, without the token.
 */
function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

/**
 * The headless host: the built renderer over HTTP and the contract over a WebSocket, on
 * 127.0.0.1 only. Every WebSocket must present the token printed at start, and come from a
 * page of this host (Origin check), so another site in the same browser cannot drive it.
 */
export async function startHostServer(o: HostServerOptions): Promise<RunningHost> {
  const token = o.token ?? randomBytes(24).toString('hex');
  const sockets = new Set<WebSocket>();
  const emit = <K extends EventName>(type: K, payload: EventMap[K]) => {
    const frame: ServerFrame = { kind: 'event', event: { type, payload } as AppEvent };
    const text = toWireJson(frame);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  };
  const { workbench, dispatch } = createMainSide({
    store: o.store,
    dataDir: o.dataDir,
    emit,
    host: o.host,
    backend: o.backend,
    threads: o.threads,
  });
  const serveStatic = await createStaticHandler(o.rendererDir);
  const server: Server = createServer((req, res) => {
    serveStatic(req, res).catch(() => res.writeHead(500).end());
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let origin = '';

  server.on('upgrade', (req, socket, head) => {
    // Node hands an upgrading socket over without the error listener it had: a client that
    // resets while we answer would raise an unhandled ECONNRESET/EPIPE and end the whole host.
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const allowedOrigins = [origin, origin.replace('127.0.0.1', 'localhost')];
    if (url.pathname !== API_WS_PATH || !sameToken(url.searchParams.get(API_TOKEN_PARAM), token)) {
      refuse(socket, '401 Unauthorized');
      return;
    }
    if (req.headers.origin !== undefined && !allowedOrigins.includes(req.headers.origin)) {
      refuse(socket, '403 Forbidden');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // A protocol error (a frame over maxPayload, invalid UTF-8, a bad opcode, an unmasked
      // frame) is emitted here after ws has already sent the close frame with its code; without
      // a listener it would be an uncaught exception ending the host. It is the client's fault
      // and already answered, so nothing is logged (a flood of them would flood the log).
      ws.on('error', () => {});
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('message', (data) => {
        let frame;
        try {
          frame = clientFrameSchema.parse(JSON.parse(String(data)));
        } catch {
          ws.close(1003, 'malformed frame');
          return;
        }
        const id = frame.id;
        void dispatch(frame.name, frame.params).then((result) => {
          let text: string;
          try {
            text = toWireJson({ kind: 'response', id, result } satisfies ServerFrame);
          } catch (err) {
            // dispatch never rejects, but a result that cannot be encoded would throw here and,
            // unhandled, end the host: answer it as an internal error instead.
            const error = failure('internal', `the reply could not be encoded: ${(err as Error).message}`);
            text = toWireJson({ kind: 'response', id, result: error } satisfies ServerFrame);
          }
          if (ws.readyState === ws.OPEN) ws.send(text);
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?${API_TOKEN_PARAM}=${token}`,
    port,
    token,
    workbench,
    close: async (reason) => {
      // No new connections; the open ones still see the runs end as `interrupted`.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await workbench.stopRuns(reason);
      // Then no more requests, so none can reach the store once it is closed.
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await workbench.close(reason);
      await closed;
    },
  };
}
