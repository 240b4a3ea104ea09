/**
 * The chat connection as a Lit reactive controller: it owns the Socket.IO socket (connects in
 * `hostConnected`, disconnects in `hostDisconnected`), follows the protocol (session, join,
 * presence, messages, typing, names), keeps the outbox of unconfirmed messages, and exposes plain
 * state for the element to render, calling `requestUpdate()` on every change. The element never
 * touches the socket.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Manager, type Socket } from 'socket.io-client';
import {
  ERROR_CODES,
  type Ack,
  type ClientToServerEvents,
  type ErrorCode,
  type HandshakeAuth,
  type JoinResult,
  type Message,
  type NameResult,
  type ProtocolError,
  type SendResult,
  type ServerToClientEvents,
  type Visitor,
} from '../backend/protocol.js';
import { nameProblem } from './limits.js';
import type { Transport } from './options.js';
import { MAX_ATTEMPTS, Outbox, recoveryFor, type Pending } from './outbox.js';
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
  /** A send failed. `text` is handed back when retrying cannot help, so it is not lost. */
  problem(error: ProtocolError, text?: string): void;
}

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long a request waits for its acknowledgement before it counts as lost. */
const ACK_TIMEOUT_MS = 10_000;
/** Typing stops being announced after this long without a keystroke. */
const TYPING_IDLE_MS = 3_000;
/** Someone else's "typing" is forgotten after this long, in case their "stopped" got lost. */
const TYPIST_EXPIRY_MS = 8_000;
/** Wait before retrying a request that got no answer. */
const RETRY_MS = 2_000;

/** An acknowledged request as a promise: the answer, or `undefined` on timeout or disconnect. */
function ask<T>(
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
  readonly outbox = new Outbox();
  /** Names of the others typing in the room, by visitor id. */
  readonly typists = new Map<string, string>();

  /** The room the page wants; the socket may be elsewhere (`joined`) for a moment. */
  #wanted: string | undefined;
  #joined: string | undefined;
  #socket: ChatSocket | undefined;
  #store: KeyValueStore | undefined;
  #key = '';
  #attached = false;
  #pumping = false;
  #typingSent = false;
  #everConnected = false;
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

  /** Messages of this room that the server has not confirmed yet. */
  get pending(): Pending[] {
    return this.outbox.items.filter((item) => item.room === this.#wanted);
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
    this.stopTyping();
    this.#wanted = room;
    this.count = undefined;
    this.welcome = '';
    this.timeline = [];
    this.#clearTypists();
    this.#update();
    void this.#pump();
  }

  /** Queues a message for this room and sends it as soon as the connection allows. */
  send(text: string): void {
    const trimmed = text.trim();
    if (this.#wanted === undefined || trimmed === '') return;
    this.stopTyping();
    this.outbox.add(this.#wanted, trimmed);
    this.#update();
    void this.#pump();
  }

  /** A keystroke in the composer: announces typing once, and its end after a pause. */
  typing(): void {
    const socket = this.#socket;
    if (!this.#typingSent && socket?.connected && this.#joined === this.#wanted) {
      socket.emit('typing', { typing: true });
      this.#typingSent = true;
    }
    this.#later('typing', TYPING_IDLE_MS, () => this.stopTyping());
  }

  stopTyping(): void {
    this.#clear('typing');
    if (!this.#typingSent) return;
    this.#typingSent = false;
    if (this.#socket?.connected) this.#socket.emit('typing', { typing: false });
  }

  /**
   * Sets the display name. Kept in storage and sent as `auth.name` on later connections; while
   * disconnected it is only stored and applies on the next connection.
   */
  async rename(raw: string): Promise<ProtocolError | undefined> {
    const name = raw.trim();
    const code = nameProblem(name);
    if (code) return { code, message: code };
    const socket = this.#socket;
    if (socket?.connected) {
      const res = await ask<Ack<NameResult>>((cb) =>
        socket.timeout(ACK_TIMEOUT_MS).emit('name:set', { name }, cb),
      );
      if (!res) return { code: 'internal', message: 'no answer' };
      if (!res.ok) return res.error;
      this.me = res.visitor;
    } else if (this.me) {
      this.me = { ...this.me, name };
    }
    this.#store?.set(`${this.#key}:name`, name);
    this.#update();
    return undefined;
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

    // A Manager of our own rather than `io()`: one connection per element, torn down with it,
    // and `io()`'s URL parsing and manager cache stay out of the bundle.
    const manager = new Manager(target.server, {
      transports: [...target.transports],
      // Each transport in turn until one connects (WebSocket first by default). No upgrade
      // from polling to WebSocket: the bundle leaves that code out (see rollup.config.mjs).
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

    socket.on('connect', () => {
      this.#everConnected = true;
      this.#setStatus('connected');
      void this.#pump();
    });
    socket.on('disconnect', (reason) => {
      this.#joined = undefined;
      this.#typingSent = false;
      this.#clearTypists();
      this.outbox.requeueAll();
      if (reason === 'io client disconnect') return this.#setStatus('idle');
      // Socket.IO does not retry after the server closed the socket itself; we do, gently.
      if (reason === 'io server disconnect') this.#later('kick', 5_000, () => socket.connect());
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
      this.#update();
    });
    socket.on('presence', ({ room, count }) => this.#setCount(room, count));
    socket.on('joined', ({ room, visitor, count }) => {
      if (!this.#here(room)) return;
      this.timeline = addNotice(this.timeline, 'joined', visitor.name);
      this.#setCount(room, count);
    });
    socket.on('left', ({ room, visitor, count }) => {
      if (!this.#here(room)) return;
      this.#dropTypist(visitor.id);
      this.timeline = addNotice(this.timeline, 'left', visitor.name);
      this.#setCount(room, count);
    });
    socket.on('message', (message) => {
      // Taken while the join is still being answered too: the server may broadcast between
      // reading the history and answering, and merging by id keeps either copy from doubling.
      if (message.room !== this.#wanted) return;
      this.#dropTypist(message.visitor.id);
      this.timeline = mergeMessages(this.timeline, [message]);
      this.#events.message(message, message.visitor.id === this.me?.id);
      this.#update();
    });
    socket.on('typing', ({ room, visitor, typing }) => {
      if (!this.#here(room) || visitor.id === this.me?.id) return;
      if (!typing) return this.#dropTypist(visitor.id);
      this.typists.set(visitor.id, visitor.name);
      this.#later(`typist:${visitor.id}`, TYPIST_EXPIRY_MS, () => this.#dropTypist(visitor.id));
      this.#update();
    });
    socket.on('renamed', ({ room, visitor }) => {
      if (!this.#here(room) || !this.typists.has(visitor.id)) return;
      this.typists.set(visitor.id, visitor.name);
      this.#update();
    });
  }

  #disconnect(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.typists.clear();
    this.#typingSent = false;
    this.#joined = undefined;
    this.outbox.requeueAll();
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
        if (!this.#socket?.connected) return;
        const item = this.outbox.next(Date.now());
        const room = item ? item.room : this.#wanted;
        if (room !== undefined && room !== this.#joined) {
          if (!(await this.#join(room))) return;
          continue;
        }
        if (!item) {
          const wake = this.outbox.wakeAt();
          if (wake !== undefined) this.#later('wake', wake - Date.now(), () => void this.#pump());
          return;
        }
        await this.#deliver(item);
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
      this.#later('wake', res?.error.retryAfterMs ?? RETRY_MS, () => void this.#pump());
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

  async #deliver(item: Pending): Promise<void> {
    const socket = this.#socket;
    if (!socket) return;
    item.state = 'sending';
    this.#update();
    const res = await ask<Ack<SendResult>>((cb) =>
      socket
        .timeout(ACK_TIMEOUT_MS)
        .emit('message:send', { text: item.text, nonce: item.nonce }, cb),
    );
    if (!res) {
      // No answer: the server may or may not have it. The same nonce makes the resend safe.
      this.outbox.requeue(item.nonce, socket.connected ? Date.now() + RETRY_MS : 0);
    } else if (res.ok) {
      this.outbox.remove(item.nonce);
      if (res.message.room === this.#wanted) {
        this.timeline = mergeMessages(this.timeline, [res.message]);
      }
      this.#events.message(res.message, true);
    } else {
      this.#refused(item, res.error);
    }
    this.#update();
  }

  #refused(item: Pending, error: ProtocolError): void {
    // Slowing down always helps eventually; a server that keeps failing gets the text handed back.
    const exhausted = error.code !== 'rate_limited' && item.attempts + 1 >= MAX_ATTEMPTS;
    const recovery = exhausted ? 'give-back' : recoveryFor(error.code);
    switch (recovery) {
      case 'wait':
        this.outbox.requeue(item.nonce, Date.now() + (error.retryAfterMs ?? RETRY_MS), true);
        this.#events.problem(error);
        break;
      case 'rejoin':
        this.#joined = undefined;
        this.outbox.requeue(item.nonce, 0, true);
        break;
      case 'give-back':
        this.outbox.remove(item.nonce);
        this.#events.problem(error, item.text);
        break;
    }
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

  #here(room: string): boolean {
    return room === this.#joined && room === this.#wanted;
  }

  #setCount(room: string, count: number): void {
    if (!this.#here(room)) return;
    this.count = count;
    // The server may repeat an unchanged count (a coalesced broadcast); tell the host page only news.
    const told = `${room}\0${count}`;
    if (told !== this.#toldPresence) {
      this.#toldPresence = told;
      this.#events.presence(room, count);
    }
    this.#update();
  }

  #dropTypist(id: string): void {
    this.#clear(`typist:${id}`);
    if (this.typists.delete(id)) this.#update();
  }

  #clearTypists(): void {
    for (const id of this.typists.keys()) this.#clear(`typist:${id}`);
    this.typists.clear();
  }

  #later(name: string, ms: number, fn: () => void): void {
    this.#clear(name);
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

  #clear(name: string): void {
    const timer = this.#timers.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(name);
  }

  #setStatus(status: ChatStatus): void {
    this.status = status;
    this.#update();
  }

  #update(): void {
    this.#host.requestUpdate();
  }
}
