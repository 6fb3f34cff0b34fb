import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * Raw TCP clients of the host, below any WebSocket library, to send what a well-behaved client
 * never would: resets, cut-off requests.
 */

export function connectRaw(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** A WebSocket upgrade request for /api; `token: null` leaves the token out. */
export function upgradeRequest(o: { port: number; token: string | null; origin?: string }): string {
  const query = o.token === null ? '' : `?token=${encodeURIComponent(o.token)}`;
  return (
    `GET /api${query} HTTP/1.1\r\n` +
    `Host: 127.0.0.1:${o.port}\r\n` +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
    'Sec-WebSocket-Version: 13\r\n' +
    (o.origin === undefined ? '' : `Origin: ${o.origin}\r\n`) +
    '\r\n'
  );
}
