import { randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * Raw TCP clients of the host, below any WebSocket library, to send what a well-behaved client
 * never would: resets, cut-off requests, handcrafted frames.
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

/** Resolves with the status line of the HTTP response the socket gets, or null if it closes first. */
export function readStatusLine(socket: net.Socket): Promise<string | null> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (b: Buffer) => {
      text += b.toString('latin1');
      const end = text.indexOf('\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      resolve(text.slice(0, end));
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(null));
    socket.on('error', () => {}); // a reset from the server ends it as 'close' too
  });
}

/**
 * An authenticated WebSocket on a raw socket: the 101 response is read, the socket is handed
 * back with whatever arrived after the headers.
 */
export async function rawUpgrade(port: number, token: string, origin: string): Promise<RawWs> {
  const socket = await connectRaw(port);
  socket.write(upgradeRequest({ port, token, origin }));
  const rest = await new Promise<Buffer>((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (b: Buffer) => {
      got = Buffer.concat([got, b]);
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const head = got.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      else resolve(got.subarray(end + 4));
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed during the upgrade')));
  });
  socket.removeAllListeners('error');
  return new RawWs(socket, rest);
}

export interface FrameOptions {
  readonly opcode: number;
  readonly payload?: Buffer;
  readonly fin?: boolean;
  /** RSV1..3 bits, as the top nibble's low three bits (0..7). */
  readonly rsv?: number;
  /** Clients must mask; false sends the frame in the clear. */
  readonly mask?: boolean;
  /** Announce this payload length instead of the real one (sends only the header and payload given). */
  readonly declaredLength?: number;
}

/** One WebSocket frame (RFC 6455 section 5.2), built byte by byte. */
export function frame(o: FrameOptions): Buffer {
  const payload = o.payload ?? Buffer.alloc(0);
  const length = o.declaredLength ?? payload.length;
  const mask = o.mask ?? true;
  const head: number[] = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | (o.opcode & 0x0f)];
  const maskBit = mask ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** A close frame's payload: the status code and a reason. */
export function closePayload(code: number, reason: Buffer | string = ''): Buffer {
  const c = Buffer.alloc(2);
  c.writeUInt16BE(code);
  return Buffer.concat([c, Buffer.isBuffer(reason) ? reason : Buffer.from(reason)]);
}

/** The server's side of a raw WebSocket: the frames it sends, until it closes. */
export class RawWs {
  private received: Buffer;
  /**
   * Settles with the code of the server's close frame as soon as it arrives (1005: none in it),
   * or null if the connection ended without one. The server closes the TCP connection only
   * once the client answers or its close timeout passes; the test needs neither.
   */
  readonly closeFrame: Promise<number | null>;

  constructor(
    readonly socket: net.Socket,
    initial: Buffer,
  ) {
    this.received = initial;
    socket.on('error', () => {}); // the server may reset after its close frame; 'close' follows
    this.closeFrame = new Promise((resolve) => {
      const check = () => {
        const code = this.closeCode();
        if (code !== null) resolve(code);
      };
      socket.on('data', (b: Buffer) => {
        this.received = Buffer.concat([this.received, b]);
        check();
      });
      socket.once('close', () => resolve(this.closeCode()));
      check();
    });
  }

  send(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** The code of the first close frame the server sent (server frames are never masked). */
  private closeCode(): number | null {
    let at = 0;
    const b = this.received;
    while (at + 2 <= b.length) {
      const opcode = b[at] & 0x0f;
      let len = b[at + 1] & 0x7f;
      let start = at + 2;
      if (len === 126) {
        if (start + 2 > b.length) return null;
        len = b.readUInt16BE(start);
        start += 2;
      } else if (len === 127) {
        if (start + 8 > b.length) return null;
        len = Number(b.readBigUInt64BE(start));
        start += 8;
      }
      if (opcode === 0x8) {
        if (start + len > b.length) return null;
        return len >= 2 ? b.readUInt16BE(start) : 1005;
      }
      at = start + len;
    }
    return null;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
