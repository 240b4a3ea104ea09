/**
 * Protocol test clients: real socket.io-client sockets, typed with the protocol's event maps, that
 * record every server event from the moment they connect. Every helper waits for events with a
 * timeout that rejects with a message naming what was awaited; none sleeps.
 *
 * Two ways to wait for a server event:
 * - `waitFor(socket, event)` listens for events that arrive after the call: start it before the
 *   action that causes the event.
 * - `client.next(event)` reads the client's recording, one event at a time per kind, whether it
 *   arrived before or after the call. To show that something was NOT received, cause a later
 *   sentinel event and assert it is the next one of its kind.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  JoinResult,
  ServerToClientEvents,
  SessionPayload,
  Success,
  Visitor,
} from '../../backend/protocol.js';
import { track } from './cleanup.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ServerEvent = keyof ServerToClientEvents;
export type PayloadOf<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];
export type RequestEvent = 'join' | 'leave' | 'message:send' | 'name:set';
export type RequestOf<E extends RequestEvent> = Parameters<ClientToServerEvents[E]>[0];
export type AckOf<E extends RequestEvent> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];
export type Transport = 'websocket' | 'polling';

/** Default wait for one event or acknowledgement. */
export const DEFAULT_TIMEOUT_MS = 5000;

/**
 * The socket seen without the protocol's types, for sending what the protocol forbids (bad
 * payloads, missing callbacks) and for listeners written once for every event.
 */
interface LooseSocket {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
}
const loose = (socket: ClientSocket): LooseSocket => socket as unknown as LooseSocket;

/** The namespace each test socket was opened on, for error messages. */
const labels = new WeakMap<ClientSocket, string>();
const label = (socket: ClientSocket): string => labels.get(socket) ?? 'a socket';

export interface WaitOptions<T> {
  timeout?: number;
  /** Only a payload for which this returns true resolves the wait. */
  filter?: (payload: T) => boolean;
}

/** Resolves with the next `event` the socket receives (matching `filter`) after this call. */
export function waitFor<E extends ServerEvent>(
  socket: ClientSocket,
  event: E,
  options: WaitOptions<PayloadOf<E>> = {},
): Promise<PayloadOf<E>> {
  const { timeout = DEFAULT_TIMEOUT_MS, filter } = options;
  return new Promise((resolve, reject) => {
    const listener = (payload: unknown): void => {
      const typed = payload as PayloadOf<E>;
      if (filter && !filter(typed)) return;
      clearTimeout(timer);
      loose(socket).off(event, listener);
      resolve(typed);
    };
    const timer = setTimeout(() => {
      loose(socket).off(event, listener);
      const what = filter ? `"${event}" matching the test's filter` : `"${event}"`;
      reject(new Error(`timed out after ${timeout} ms waiting for ${what} on ${label(socket)}`));
    }, timeout);
    loose(socket).on(event, listener);
  });
}

/**
 * Sends a request with arbitrary arguments (the ack callback is appended) and resolves with the
 * acknowledgement, unchecked: for payloads the protocol forbids.
 */
export function rawEmitAck(
  socket: ClientSocket,
  event: string,
  args: readonly unknown[],
  timeout = DEFAULT_TIMEOUT_MS,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(`no acknowledgement of "${event}" within ${timeout} ms on ${label(socket)}`),
      );
    }, timeout);
    loose(socket).emit(event, ...args, (response: unknown) => {
      clearTimeout(timer);
      resolve(response);
    });
  });
}

/** Sends a request and resolves with its acknowledgement. */
export function emitAck<E extends RequestEvent>(
  socket: ClientSocket,
  event: E,
  payload: RequestOf<E>,
  timeout = DEFAULT_TIMEOUT_MS,
): Promise<AckOf<E>> {
  return rawEmitAck(socket, event, [payload], timeout) as Promise<AckOf<E>>;
}

/** Sends without an ack callback, whatever the arguments: for requests the server must survive. */
export function rawEmit(socket: ClientSocket, event: string, ...args: unknown[]): void {
  loose(socket).emit(event, ...args);
}

/** A connected socket, its `session`, and the recording of every event it received. */
export class TestClient {
  /** Every server event received since the connection, in order. */
  readonly events: { event: string; payload: unknown }[] = [];
  private readonly cursors = new Map<string, number>();
  private readonly wakers = new Set<() => void>();
  private sessionPayload: SessionPayload | undefined;

  constructor(readonly socket: ClientSocket) {
    socket.onAny((event: string, ...args: unknown[]) => {
      this.events.push({ event, payload: args[0] });
      for (const wake of [...this.wakers]) wake();
    });
  }

  get session(): SessionPayload {
    if (!this.sessionPayload) throw new Error('this client has not received its session yet');
    return this.sessionPayload;
  }

  /** Set once by `connect()`. */
  set session(payload: SessionPayload) {
    this.sessionPayload = payload;
  }

  get id(): string {
    return this.session.visitorId;
  }

  /** The visitor as the session introduced it (before any `name:set`). */
  get visitor(): Visitor {
    return { id: this.session.visitorId, name: this.session.name };
  }

  /** Every `event` payload received so far, in order. */
  received<E extends ServerEvent>(event: E): PayloadOf<E>[] {
    return this.events.filter((e) => e.event === event).map((e) => e.payload as PayloadOf<E>);
  }

  /**
   * The next `event` of the recording not yet returned by `next`, waiting for it if needed.
   * Events skipped by `filter` are consumed.
   */
  next<E extends ServerEvent>(
    event: E,
    options: WaitOptions<PayloadOf<E>> = {},
  ): Promise<PayloadOf<E>> {
    const { timeout = DEFAULT_TIMEOUT_MS, filter } = options;
    const take = (): PayloadOf<E> | undefined => {
      const all = this.received(event);
      let cursor = this.cursors.get(event) ?? 0;
      while (cursor < all.length) {
        const payload = all[cursor] as PayloadOf<E>;
        cursor += 1;
        this.cursors.set(event, cursor);
        if (!filter || filter(payload)) return payload;
      }
      return undefined;
    };
    const now = take();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        const payload = take();
        if (payload === undefined) return;
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve(payload);
      };
      const timer = setTimeout(() => {
        this.wakers.delete(wake);
        const what = filter ? `"${event}" matching the test's filter` : `"${event}"`;
        const seen = this.events.map((e) => e.event).join(', ') || 'nothing';
        reject(
          new Error(
            `timed out after ${timeout} ms waiting for ${what} on ${label(this.socket)}; received so far: ${seen}`,
          ),
        );
      }, timeout);
      this.wakers.add(wake);
    });
  }

  /** Sends a request and resolves with its acknowledgement. */
  request<E extends RequestEvent>(
    event: E,
    payload: RequestOf<E>,
    timeout = DEFAULT_TIMEOUT_MS,
  ): Promise<AckOf<E>> {
    return emitAck(this.socket, event, payload, timeout);
  }

  /** Joins `room` and returns the successful ack; throws with the error if the join failed. */
  async join(room: string): Promise<Success<JoinResult>> {
    const ack = await this.request('join', { room });
    if (!ack.ok) throw new Error(`join ${JSON.stringify(room)} failed: ${JSON.stringify(ack)}`);
    return ack;
  }

  /** Resolves with the disconnect reason when the socket is disconnected. */
  disconnected(timeout = DEFAULT_TIMEOUT_MS): Promise<string> {
    if (this.socket.disconnected && this.sessionPayload) return Promise.resolve('already');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${label(this.socket)} was not disconnected within ${timeout} ms`)),
        timeout,
      );
      this.socket.once('disconnect', (reason) => {
        clearTimeout(timer);
        resolve(reason);
      });
    });
  }

  close(): void {
    this.socket.disconnect();
  }
}

export interface ConnectOptions {
  /** The handshake `auth` object; loose on purpose so tests can send malformed fields. */
  auth?: Record<string, unknown>;
  /** @default ['websocket'] */
  transports?: Transport[];
  /** Request headers (honoured by Node's client on both transports). */
  extraHeaders?: Record<string, string>;
  timeout?: number;
  /**
   * The loopback address the client connects from (WebSocket transport). By default every client
   * gets its own, as visitors on the internet have, so per-address limits stay out of tests that
   * are not about them; tests of those limits pass one address to several clients.
   */
  localAddress?: string;
}

let lastAddress = 0;

/** A loopback address no other client of this test process has used: 127.1.0.1, 127.1.0.2, ... */
export function freshAddress(): string {
  lastAddress += 1;
  return `127.${1 + ((lastAddress >> 16) & 127)}.${(lastAddress >> 8) & 255}.${lastAddress & 255}`;
}

/** A socket for `/<site>` that has not connected yet, with the test's defaults. */
export function createSocket(
  url: string,
  site: string,
  options: ConnectOptions = {},
): ClientSocket {
  const socket: ClientSocket = io(`${url}/${site}`, {
    forceNew: true,
    reconnection: false,
    autoConnect: false,
    transports: options.transports ?? ['websocket'],
    auth: options.auth ?? {},
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
    ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
    // Passed on to the `ws` client by engine.io-client; its option types do not list it.
    ...({ localAddress: options.localAddress ?? freshAddress() } as object),
  });
  labels.set(socket, `/${site}`);
  return track.socket(socket);
}

/** Connects to the site's namespace and resolves once its `session` arrived. */
export async function connect(
  url: string,
  site: string,
  options: ConnectOptions = {},
): Promise<TestClient> {
  const socket = createSocket(url, site, options);
  const client = new TestClient(socket);
  const refused = new Promise<never>((_, reject) => {
    socket.once('connect_error', (error) => {
      const data = (error as Error & { data?: unknown }).data;
      reject(new Error(`connection to /${site} refused: ${error.message} ${JSON.stringify(data)}`));
    });
  });
  // A refusal after the session cannot happen without reconnection; never leave it unhandled.
  refused.catch(() => undefined);
  socket.connect();
  client.session = await Promise.race([client.next('session', options), refused]);
  return client;
}

/** A refused connection's error: `message` is the code, `data` should be `{ code, message }`. */
export interface RefusedConnection {
  message: string;
  data: unknown;
}

/** Connects and resolves with the `connect_error`; rejects if the connection is accepted. */
export function connectRefused(
  url: string,
  site: string,
  options: ConnectOptions = {},
): Promise<RefusedConnection> {
  const socket = createSocket(url, site, options);
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`/${site} was neither accepted nor refused within ${timeout} ms`)),
      timeout,
    );
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      resolve({ message: error.message, data: (error as Error & { data?: unknown }).data });
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      reject(new Error(`/${site} was accepted, but the test expected a refusal`));
    });
    socket.connect();
  });
}

/**
 * The latest count of distinct visitors one socket knows for a room, from its join ack and the
 * `presence`, `joined` and `left` events it received, in arrival order.
 */
export class RoomCount {
  latest: number | undefined;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly client: TestClient,
    readonly room: string,
  ) {
    const observe = (payload: unknown): void => {
      const p = payload as { room?: unknown; count?: unknown };
      if (p.room === room && typeof p.count === 'number') this.set(p.count);
    };
    for (const event of ['presence', 'joined', 'left']) loose(client.socket).on(event, observe);
  }

  private set(count: number): void {
    this.latest = count;
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * Joins the room; the ack's count is recorded in the same turn the ack arrives, so a later
   * `presence` on the same socket always wins over it, as it would for a real client.
   */
  join(timeout = DEFAULT_TIMEOUT_MS): Promise<AckOf<'join'>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no acknowledgement of "join" within ${timeout} ms`)),
        timeout,
      );
      loose(this.client.socket).emit('join', { room: this.room }, (ack: unknown) => {
        clearTimeout(timer);
        const typed = ack as AckOf<'join'>;
        if (typed.ok) this.set(typed.count);
        resolve(typed);
      });
    });
  }

  /** Resolves when the latest known count is `expected`; rejects after `timeout` ms. */
  until(expected: number, timeout = DEFAULT_TIMEOUT_MS): Promise<void> {
    if (this.latest === expected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        if (this.latest !== expected) return;
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(() => {
        this.wakers.delete(wake);
        reject(
          new Error(
            `${this.client.id} still sees ${String(this.latest)} in ${this.room} after ${timeout} ms; expected ${expected}`,
          ),
        );
      }, timeout);
      this.wakers.add(wake);
    });
  }
}
