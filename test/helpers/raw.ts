/**
 * Clients below socket.io-client, for attacks it would hide: a raw Engine.IO session over a `ws`
 * WebSocket that writes Socket.IO packets by hand (so payloads can be escaped, repeated or never
 * read), and a raw HTTP request over a TCP socket (so a body can go on forever).
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { track } from './cleanup.js';

const WAIT_MS = 10_000;

/** One Engine.IO session over WebSocket, speaking Socket.IO packets as text. */
export class RawSession {
  private readonly frames: string[] = [];
  private waiters: (() => void)[] = [];
  /** Resolves when the connection is closed, by either side. */
  readonly closed: Promise<void>;
  private nextAck = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      // Answer the server's pings, as every client must, so a slow test is not a dead client.
      if (text === '2') return void ws.send('3');
      this.frames.push(text);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
    void this.closed.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Opens a session from `localAddress` and waits for Engine.IO's open packet. */
  static async open(url: string, localAddress = '127.0.0.1'): Promise<RawSession> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      localAddress,
    });
    track.socket({ disconnect: () => ws.terminate() });
    const session = new RawSession(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`handshake refused: HTTP ${res.statusCode}`)),
      );
    });
    const open = await session.next((f) => f.startsWith('0'));
    if (!open) throw new Error('no Engine.IO open packet');
    return session;
  }

  send(frame: string): void {
    this.ws.send(frame);
  }

  /** Socket.IO CONNECT to `/site`; resolves with the answer frame (`40...` or `44...`). */
  async connectSite(site: string, auth: object = {}): Promise<string> {
    this.send(`40/${site},${JSON.stringify(auth)}`);
    const answer = await this.next(
      (f) => f.startsWith(`40/${site},`) || f.startsWith(`44/${site},`),
    );
    if (answer === undefined) throw new Error(`no answer to CONNECT /${site}`);
    return answer;
  }

  /**
   * Emits `event` with `payloadJson` written verbatim (so it can be escaped however a client likes)
   * and an ack id; resolves with the ack's decoded argument, or undefined when the session closed.
   */
  async request(site: string, event: string, payloadJson: string): Promise<unknown> {
    const id = this.nextAck++;
    this.send(`42/${site},${id}[${JSON.stringify(event)},${payloadJson}]`);
    const prefix = `43/${site},${id}[`;
    const frame = await this.next((f) => f.startsWith(prefix));
    return frame === undefined
      ? undefined
      : (JSON.parse(frame.slice(prefix.length - 1)) as unknown[])[0];
  }

  /** The next frame matching `accept` (frames before it are dropped), or undefined once closed. */
  async next(accept: (frame: string) => boolean = () => true): Promise<string | undefined> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const at = this.frames.findIndex(accept);
      if (at >= 0) return this.frames.splice(0, at + 1).pop();
      this.frames.length = 0;
      if (this.ws.readyState === WebSocket.CLOSED) return undefined;
      if (Date.now() > deadline) throw new Error('no matching frame within 10 s');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** An HTTP/1.1 request written by hand over TCP, so its body can be endless. */
export interface RawHttp {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the server closed the connection. */
  closed: Promise<void>;
}

export async function rawHttp(
  url: string,
  head: string,
  localAddress = '127.0.0.1',
): Promise<RawHttp> {
  const { hostname, port } = new URL(url);
  const socket = tcpConnect({ host: hostname, port: Number(port), localAddress });
  track.socket({ disconnect: () => socket.destroy() });
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString('latin1')));
  // Writing after the server closed fails with EPIPE or ECONNRESET: that is the expected outcome.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(head);
  return { socket, received: () => text, closed };
}
