/**
 * The chat connection as a Lit reactive controller: it owns the Socket.IO socket (connects in
 * `hostConnected`, disconnects in `hostDisconnected`), follows the protocol (session, join,
 * presence, messages, the room's timeline), and exposes plain state for the element to render,
 * calling `requestUpdate()` on every change. The element never touches the socket. Sending,
 * typing and renaming are the `Conversation` (conversation.ts), which comes with the panel's
 * chunk and plugs in here: the launcher's count needs none of it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Fetch, Manager, WebSocket, type Socket } from 'socket.io-client';
import {
  ERROR_CODES,
  type Ack,
  type ClientToServerEvents,
  type ErrorCode,
  type HandshakeAuth,
  type JoinResult,
  type Message,
  type ServerToClientEvents,
  type Visitor,
} from '../backend/protocol.js';
import type { Conversation } from './conversation.js';
import type { Transport } from './options.js';
import { identityKey, openStore, type KeyValueStore } from './storage.js';
import { addNotice, mergeMessages, type TimelineEntry } from './timeline.js';

/**
 * `idle`: not started or stopped; `connecting`: first attempt; `connected`; `reconnecting`: the
 * connection dropped and Socket.IO is retrying; `offline`: the browser says it has no network;
 * `refused`: the server turned the connection down for good (`refusal` says why).
 */
export type ChatStatus =
  'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'refused';

/** Where to connect. `undefined` from the target getter means the element is not configured. */
export interface ChatTarget {
  server: string;
  site: string;
  transports: readonly Transport[];
}

/** What the controller tells its element beyond state changes. */
export interface ChatEvents {
  message(message: Message, own: boolean): void;
  presence(room: string, count: number): void;
  session(visitor: Visitor): void;
}

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** socket.io-client's class for each transport name of PROTOCOL.md. */
const TRANSPORTS = { websocket: WebSocket, polling: Fetch } as const;

/** How long a request waits for its acknowledgement before it counts as lost. */
export const ACK_TIMEOUT_MS = 10_000;
/** Wait before retrying a request that got no answer. */
export const RETRY_MS = 2_000;

/** An acknowledged request as a promise: the answer, or `undefined` on timeout or disconnect. */
export function ask<T>(
  send: (callback: (err: Error | null, response: T) => void) => void,
): Promise<T | undefined> {
  return new Promise((resolve) => send((err, response) => resolve(err ? undefined : response)));
}

/** The error code of a refused connection (PROTOCOL.md: `message` is the code, `data` says more). */
function refusalCode(err: Error & { data?: unknown }): ErrorCode {
  const data = err.data as { code?: unknown } | undefined;
  const code = typeof data?.code === 'string' ? data.code : err.message;
  return ERROR_CODES.find((c) => c === code) ?? 'internal';
}

const isOffline = (): boolean => typeof navigator !== 'undefined' && navigator.onLine === false;

export class ChatController implements ReactiveController {
  status: ChatStatus = 'idle';
  /** Why the server refused the connection, when `status` is `refused`. */
  refusal: ErrorCode | undefined;
  /** The visitor, once the server's `session` event arrived. */
  me: Visitor | undefined;
  /** People on this page, once the room was joined. */
  count: number | undefined;
  /** The server's greeting for this room. */
  welcome = '';
  timeline: TimelineEntry[] = [];

  /** The room the page wants; the socket may be elsewhere (`joined`) for a moment. */
  #wanted: string | undefined;
  #joined: string | undefined;
  #socket: ChatSocket | undefined;
  #store: KeyValueStore | undefined;
  #key = '';
  #attached = false;
  #pumping = false;
  #everConnected = false;
  #conversation: Conversation | undefined;
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  readonly #host: ReactiveControllerHost;
  readonly #target: () => ChatTarget | undefined;
  readonly #events: ChatEvents;

  constructor(
    host: ReactiveControllerHost,
    target: () => ChatTarget | undefined,
    events: ChatEvents,
  ) {
    this.#host = host;
    this.#target = target;
    this.#events = events;
    host.addController(this);
  }

  /** The room the widget is in (or is joining). */
  get room(): string | undefined {
    return this.#wanted;
  }

  /** The socket, connected or not (for the conversation). */
  get socket(): ChatSocket | undefined {
    return this.#socket;
  }

  /** The socket if it is connected and in the page's room, else `undefined`. */
  inRoom(): ChatSocket | undefined {
    const socket = this.#socket;
    return socket?.connected && this.#joined === this.#wanted ? socket : undefined;
  }

  /** Plugs the conversation in (once, when the panel's chunk has loaded) and sends what waits. */
  attach(conversation: Conversation): void {
    this.#conversation = conversation;
    if (this.#socket) conversation.listen(this.#socket);
    this.pump();
  }

  hostConnected(): void {
    this.#attached = true;
    window.addEventListener('online', this.#onOnline);
    window.addEventListener('offline', this.#onOffline);
    this.#connect();
  }

  hostDisconnected(): void {
    this.#attached = false;
    window.removeEventListener('online', this.#onOnline);
    window.removeEventListener('offline', this.#onOffline);
    this.#disconnect();
  }

  /** Starts over with a new connection, after the server, site or transports changed. */
  restart(): void {
    if (!this.#attached) return;
    this.#disconnect();
    this.me = undefined;
    this.count = undefined;
    this.timeline = [];
    this.#connect();
  }

  /** Moves to another room (SPA navigation): the previous room's screen is cleared at once. */
  setRoom(room: string): void {
    if (room === this.#wanted) return;
    this.#conversation?.moved();
    this.#wanted = room;
    this.count = undefined;
    this.welcome = '';
    this.timeline = [];
    this.update();
    this.pump();
  }

  /** Runs the delivery loop, unless it runs already. */
  pump(): void {
    void this.#pump();
  }

  /** Whether `room` is the one the page is in and the socket has joined. */
  here(room: string): boolean {
    return room === this.#joined && room === this.#wanted;
  }

  /** The server confirmed one of the visitor's messages. */
  confirmed(message: Message): void {
    if (message.room === this.#wanted) this.timeline = mergeMessages(this.timeline, [message]);
    this.#events.message(message, true);
  }

  /** The socket lost its room (`not_joined`): the loop joins again before sending. */
  rejoin(): void {
    this.#joined = undefined;
  }

  /** Keeps the visitor's chosen name for later connections (`auth.name`). */
  keepName(name: string): void {
    this.#store?.set(`${this.#key}:name`, name);
  }

  #connect(): void {
    const target = this.#target();
    this.refusal = undefined;
    if (!target) {
      this.refusal = 'invalid_site';
      this.#setStatus('refused');
      return;
    }
    this.#store ??= openStore(window);
    this.#key = identityKey(target.server, target.site);
    this.#everConnected = false;
    this.#setStatus(isOffline() ? 'offline' : 'connecting');

    // A Manager of our own rather than `io()`: one connection per element, torn down with it.
    const manager = new Manager(target.server, {
      // Transport classes rather than names (socket.io-client 4.8): long-polling over `fetch()`,
      // the smaller poller, instead of the default XMLHttpRequest one.
      transports: target.transports.map((name) => TRANSPORTS[name]),
      // Each transport in turn until one connects (WebSocket first by default), and no upgrade
      // from polling to WebSocket once connected: one round trip fewer to a working connection.
      tryAllTransports: true,
      upgrade: false,
      withCredentials: false,
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 10_000,
    });
    const socket: ChatSocket = manager.socket(`/${target.site}`, {
      // A function, so each reconnection presents the latest token and name.
      auth: (cb) => cb(this.#auth()),
    });
    this.#socket = socket;
    this.#conversation?.listen(socket);

    socket.on('connect', () => {
      this.#everConnected = true;
      this.#setStatus('connected');
      this.pump();
    });
    socket.on('disconnect', (reason) => {
      this.#joined = undefined;
      this.#conversation?.reset();
      if (reason === 'io client disconnect') return this.#setStatus('idle');
      // Socket.IO does not retry after the server closed the socket itself; we do, gently.
      if (reason === 'io server disconnect') this.later('kick', 5_000, () => socket.connect());
      this.#setStatus(isOffline() ? 'offline' : 'reconnecting');
    });
    socket.on('connect_error', (err) => {
      if (!socket.active) {
        this.refusal = refusalCode(err);
        console.error(`[pagechat] the chat server refused site "${target.site}": ${this.refusal}`);
        return this.#setStatus('refused');
      }
      this.#setStatus(
        isOffline() ? 'offline' : this.#everConnected ? 'reconnecting' : 'connecting',
      );
    });

    socket.on('session', ({ visitorId, token, name }) => {
      this.#store?.set(`${this.#key}:token`, token);
      this.me = { id: visitorId, name };
      this.#events.session(this.me);
      this.update();
    });
    socket.on('presence', ({ room, count }) => this.#setCount(room, count));
    socket.on('joined', ({ room, visitor, count }) => {
      if (!this.here(room)) return;
      this.timeline = addNotice(this.timeline, 'joined', visitor.name);
      this.#setCount(room, count);
    });
    socket.on('left', ({ room, visitor, count }) => {
      if (!this.here(room)) return;
      this.timeline = addNotice(this.timeline, 'left', visitor.name);
      this.#setCount(room, count);
    });
    socket.on('message', (message) => {
      // Taken while the join is still being answered too: the server may broadcast between
      // reading the history and answering, and merging by id keeps either copy from doubling.
      if (message.room !== this.#wanted) return;
      this.timeline = mergeMessages(this.timeline, [message]);
      this.#events.message(message, message.visitor.id === this.me?.id);
      this.update();
    });
  }

  #disconnect(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#joined = undefined;
    this.#conversation?.reset();
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.off();
    socket?.disconnect();
    this.#setStatus('idle');
  }

  #auth(): HandshakeAuth {
    const auth: HandshakeAuth = {};
    const token = this.#store?.get(`${this.#key}:token`);
    const name = this.#store?.get(`${this.#key}:name`);
    if (token) auth.token = token;
    if (name) auth.name = name;
    return auth;
  }

  /**
   * Brings the socket where it should be and empties the outbox, one step at a time: the oldest
   * message first (joining its room if the page moved on since), then the page's room. Each step
   * awaits its acknowledgement, so order is kept; a lost connection stops the loop and the next
   * `connect` starts it again. Re-entrant calls return at once: the running loop re-reads state.
   */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (;;) {
        const socket = this.#socket;
        if (!socket?.connected) return;
        const outbox = this.#conversation?.outbox;
        const item = outbox?.next(Date.now());
        const room = item ? item.room : this.#wanted;
        if (room !== undefined && room !== this.#joined) {
          if (!(await this.#join(room))) return;
          continue;
        }
        if (!item) {
          const wake = outbox?.wakeAt();
          if (wake !== undefined) this.later('wake', wake - Date.now(), () => this.pump());
          return;
        }
        await this.#conversation?.deliver(socket, item);
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #join(room: string): Promise<boolean> {
    const socket = this.#socket;
    if (!socket) return false;
    const res = await ask<Ack<JoinResult>>((cb) =>
      socket.timeout(ACK_TIMEOUT_MS).emit('join', { room }, cb),
    );
    if (socket !== this.#socket || !socket.connected) return false;
    if (!res?.ok) {
      this.later('wake', res?.error.retryAfterMs ?? RETRY_MS, () => this.pump());
      return false;
    }
    this.#joined = room;
    if (room === this.#wanted) {
      this.welcome = res.welcome;
      // After a reconnect the history repeats what is on screen: merged by id, never doubled.
      this.timeline = mergeMessages(this.timeline, res.history);
      this.#setCount(room, res.count);
    }
    return true;
  }

  readonly #onOnline = (): void => {
    const socket = this.#socket;
    if (!socket || socket.connected || !socket.active) return;
    this.#setStatus('reconnecting');
    // Skip what is left of Socket.IO's reconnection back-off: the network is back now.
    socket.disconnect().connect();
  };

  readonly #onOffline = (): void => {
    if (this.#socket && !this.#socket.connected && this.status !== 'refused') {
      this.#setStatus('offline');
    }
  };

  #toldPresence = '';

  #setCount(room: string, count: number): void {
    if (!this.here(room)) return;
    this.count = count;
    // The server may repeat an unchanged count (a coalesced broadcast); tell the host page only news.
    const told = `${room}\0${count}`;
    if (told !== this.#toldPresence) {
      this.#toldPresence = told;
      this.#events.presence(room, count);
    }
    this.update();
  }

  /** Runs `fn` in `ms`, replacing the timer of the same name; all are cleared on disconnect. */
  later(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    this.#timers.set(
      name,
      setTimeout(
        () => {
          this.#timers.delete(name);
          fn();
        },
        Math.max(0, ms),
      ),
    );
  }

  clear(name: string): void {
    const timer = this.#timers.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(name);
  }

  #setStatus(status: ChatStatus): void {
    this.status = status;
    this.update();
  }

  update(): void {
    this.#host.requestUpdate();
  }
}
