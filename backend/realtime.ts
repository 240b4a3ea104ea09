/**
 * The realtime layer: one Socket.IO namespace per site, one room per page, and every client event
 * of PROTOCOL.md. It wires sockets, timers and stores to the pure parts (schemas, tokens, presence
 * arithmetic, rate limits, coalescing) and owns nothing it does not clear on `close()`.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import type { Config } from './config.js';
import { PresenceCoalescer } from './coalescer.js';
import type { Logger } from './logger.js';
import { countRejection, type Metrics } from './metrics.js';
import { defaultName } from './names.js';
import { PresenceTracker } from './presence.js';
import {
  LIMITS,
  type Ack,
  type ClientToServerEvents,
  type ConnectErrorData,
  type ErrorCode,
  type Failure,
  type JoinResult,
  type NameResult,
  type SendResult,
  type ServerToClientEvents,
  type Visitor,
} from './protocol.js';
import { RateLimiter, type Clock } from './rate-limit.js';
import { checkSiteName } from './rooms.js';
import { parseAuth, parseJoin, parseLeave, parseName, parseSend, parseTyping } from './schemas.js';
import type { MessageStore } from './store/types.js';
import type { TokenSigner } from './tokens.js';

/** Per-socket state, kept in Socket.IO's own `socket.data`. */
export interface SocketData {
  site: string;
  visitorId: string;
  name: string;
  room: string | null;
}

export type InterServerEvents = Record<string, never>;
export type ChatServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
type SiteNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Decisions about who may use which site; the seam for origin allowlists and moderation. */
export interface SitePolicy {
  /** Whether this server serves `site` at all. */
  serves(site: string): boolean;
  /** Whether a page on `origin` (undefined for non-browser clients) may embed `site`. */
  originAllowed(site: string, origin: string | undefined): boolean;
  /** Whether `visitorId` may not connect to or post on `site`. */
  isBanned(site: string, visitorId: string): boolean;
}

export function openPolicy(sites: readonly string[] | undefined): SitePolicy {
  const served = sites && new Set(sites);
  return {
    serves: (site) => !served || served.has(site),
    originAllowed: () => true,
    isBanned: () => false,
  };
}

export interface RealtimeDeps {
  config: Config;
  store: MessageStore;
  tokens: TokenSigner;
  policy: SitePolicy;
  clock: Clock;
  newId: () => string;
  logger: Logger;
  metrics: Metrics;
}

export interface Realtime {
  /** Distinct visitors in `room` of `site` on this process. */
  count(site: string, room: string): number;
  close(): void;
}

const MESSAGES: Record<ErrorCode, string> = {
  invalid_site: 'the site name is not valid or is reserved',
  site_not_allowed: 'this server does not serve this site',
  origin_not_allowed: 'this page may not embed this site',
  banned: 'this visitor may not use this site',
  invalid_payload: 'the payload does not match the protocol',
  not_joined: 'join a room first',
  too_long: 'the text is too long',
  rate_limited: 'too many requests; retry later',
  internal: 'the server failed; retry the request',
};

function failure(code: ErrorCode, message = MESSAGES[code], retryAfterMs?: number): Failure {
  return {
    ok: false,
    error: retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs },
  };
}

/** An Error for Socket.IO middleware: the client's `connect_error` gets `message` = code and `data`. */
function refusal(code: ErrorCode): Error & { data: ConnectErrorData } {
  return Object.assign(new Error(code), { data: { code, message: MESSAGES[code] } });
}

/** Splits an event's arguments into the payload and the acknowledgement callback, if any. */
function splitArgs(args: unknown[]): [unknown, (response: Ack) => void] {
  const last = args[args.length - 1];
  if (typeof last === 'function') {
    const ack = last as (response: Ack) => void;
    return [args.length > 1 ? args[0] : undefined, ack];
  }
  return [args[0], () => undefined];
}

export function attachRealtime(io: ChatServer, deps: RealtimeDeps): Realtime {
  const { config, store, tokens, policy, clock, logger, metrics } = deps;

  const presence = new Map<string, PresenceTracker>();
  const trackerFor = (site: string): PresenceTracker => {
    let tracker = presence.get(site);
    if (!tracker) {
      tracker = new PresenceTracker();
      presence.set(site, tracker);
    }
    return tracker;
  };
  const roomCount = (): number => {
    let n = 0;
    for (const tracker of presence.values()) n += tracker.roomCount;
    return n;
  };

  const coalescer = new PresenceCoalescer<SiteNamespace>({
    windowMs: config.presenceWindowMs,
    clock,
    count: (nsp, room) => trackerFor(nsp.name.slice(1)).count(room),
    emit: (nsp, room, count) => nsp.to(room).emit('presence', { room, count }),
  });

  const limits = {
    message: new RateLimiter(config.messageRate, clock),
    rename: new RateLimiter(config.renameRate, clock),
    typing: new RateLimiter(config.typingRate, clock),
    join: new RateLimiter(config.joinRate, clock),
  };
  const sweeper = setInterval(() => {
    for (const limiter of Object.values(limits)) limiter.sweep();
  }, 30_000);
  sweeper.unref();

  // The root namespace carries no chat: refuse it with the code a client can act on.
  io.of('/').use((_socket, next) => next(refusal('invalid_site')));

  // Sites are dynamic namespaces. Valid, served names become live children of `sites`; every other
  // name goes to `refused`, whose children are answered with the code and then dropped at once, so
  // probing random namespaces cannot grow the server's memory.
  const sites = io.of((name, _auth, next) => {
    const site = name.slice(1);
    next(null, checkSiteName(site) === 'ok' && policy.serves(site));
  });
  const refused = io.of((_name, _auth, next) => next(null, true));
  refused.use((socket, next) => {
    const site = socket.nsp.name.slice(1);
    const code: ErrorCode = checkSiteName(site) === 'ok' ? 'site_not_allowed' : 'invalid_site';
    countRejection(metrics, code);
    next(refusal(code));
    dropNamespace(io, refused, socket.nsp);
  });

  sites.use((socket, next) => {
    const site = socket.nsp.name.slice(1);
    const origin = socket.handshake.headers.origin;
    if (!policy.originAllowed(site, origin)) {
      countRejection(metrics, 'origin_not_allowed');
      return next(refusal('origin_not_allowed'));
    }
    const auth = parseAuth(socket.handshake.auth);
    const visitorId = tokens.verify(site, auth.token) ?? deps.newId();
    if (policy.isBanned(site, visitorId)) {
      countRejection(metrics, 'banned');
      return next(refusal('banned'));
    }
    socket.data = { site, visitorId, name: auth.name ?? defaultName(visitorId), room: null };
    next();
  });

  sites.on('connection', (socket: ChatSocket) => {
    const { site, visitorId } = socket.data;
    metrics.connections.inc();
    socket.emit('session', {
      visitorId,
      token: tokens.sign(site, visitorId),
      name: socket.data.name,
    });

    const visitor = (): Visitor => ({ id: visitorId, name: socket.data.name });
    const limitKey = `${site}\0${visitorId}`;

    const leaveRoom = (): void => {
      const room = socket.data.room;
      if (room === null) return;
      socket.data.room = null;
      void socket.leave(room);
      const change = trackerFor(site).remove(room, visitorId);
      if (change.visitorChanged && change.count < config.quietRoomSize) {
        socket.nsp.to(room).emit('left', { room, visitor: visitor(), count: change.count });
      }
      coalescer.changed(`${site}\0${room}`, socket.nsp, room);
      metrics.rooms.set(roomCount());
    };

    /** Runs a request handler; a thrown error answers `internal` and is logged, never crashes. */
    const handle = <T extends object>(
      event: string,
      fn: (payload: unknown, reply: (response: Ack<T>) => void) => Promise<void> | void,
    ) => {
      return (...args: unknown[]): void => {
        const [payload, ack] = splitArgs(args);
        const reply = (response: Ack<T>): void => {
          if (!response.ok) countRejection(metrics, response.error.code);
          ack(response);
        };
        Promise.resolve()
          .then(() => fn(payload, reply))
          .catch((error: unknown) => {
            logger.error({ err: error, event, site }, 'request failed');
            reply(failure('internal'));
          });
      };
    };

    socket.on(
      'join',
      handle<JoinResult>('join', async (payload, reply) => {
        const parsed = parseJoin(payload);
        if (!parsed.ok) return reply(failure(parsed.code, parsed.message));
        const { room } = parsed.value;
        let entered = false;
        if (socket.data.room !== room) {
          const allowed = limits.join.take(limitKey);
          if (!allowed.ok) return reply(failure('rate_limited', undefined, allowed.retryAfterMs));
          leaveRoom();
          socket.data.room = room;
          void socket.join(room);
          entered = trackerFor(site).add(room, visitorId).visitorChanged;
          metrics.joins.inc();
          metrics.rooms.set(roomCount());
        }
        let history;
        try {
          history = await store.recent(site, room, LIMITS.historyMax);
        } catch (error) {
          // Answering `internal` must leave the socket out of the room it asked for, uncounted.
          if (entered && socket.data.room === room) {
            socket.data.room = null;
            void socket.leave(room);
            trackerFor(site).remove(room, visitorId);
            metrics.rooms.set(roomCount());
          }
          throw error;
        }
        const count = trackerFor(site).count(room);
        reply({ ok: true, room, count, welcome: config.welcome, history });
        // Tell the others after answering, so the newcomer's first word about its room is the ack.
        if (socket.data.room !== room) return; // it left (or disconnected) while history was read
        if (entered && count <= config.quietRoomSize) {
          socket.to(room).emit('joined', { room, visitor: visitor(), count });
        }
        coalescer.changed(`${site}\0${room}`, socket.nsp, room);
      }),
    );

    socket.on(
      'leave',
      handle('leave', (payload, reply) => {
        const parsed = parseLeave(payload);
        if (!parsed.ok) return reply(failure(parsed.code, parsed.message));
        leaveRoom();
        reply({ ok: true });
      }),
    );

    socket.on(
      'message:send',
      handle<SendResult>('message:send', async (payload, reply) => {
        const parsed = parseSend(payload, config.maxTextLength);
        if (!parsed.ok) return reply(failure(parsed.code, parsed.message));
        const room = socket.data.room;
        if (room === null) return reply(failure('not_joined'));
        if (policy.isBanned(site, visitorId)) return reply(failure('banned'));
        const { text, nonce } = parsed.value;
        // A retry of a message already stored is answered without spending the visitor's rate budget.
        if (nonce !== undefined) {
          const original = await store.findByNonce(site, visitorId, nonce);
          if (original) return reply({ ok: true, message: original });
        }
        const allowed = limits.message.take(limitKey);
        if (!allowed.ok) return reply(failure('rate_limited', undefined, allowed.retryAfterMs));
        const stored = await store.append(
          site,
          { id: deps.newId(), room, visitor: visitor(), text, ts: clock() },
          nonce,
        );
        if (!stored.duplicate) {
          socket.to(stored.message.room).emit('message', stored.message);
          metrics.messages.inc();
        }
        reply({ ok: true, message: stored.message });
      }),
    );

    socket.on(
      'name:set',
      handle<NameResult>('name:set', (payload, reply) => {
        const parsed = parseName(payload);
        if (!parsed.ok) return reply(failure(parsed.code, parsed.message));
        const allowed = limits.rename.take(limitKey);
        if (!allowed.ok) return reply(failure('rate_limited', undefined, allowed.retryAfterMs));
        socket.data.name = parsed.value;
        const room = socket.data.room;
        if (room !== null) socket.to(room).emit('renamed', { room, visitor: visitor() });
        reply({ ok: true, visitor: visitor() });
      }),
    );

    // `typing` takes no ack and is best-effort: bad payloads, a missing room and floods are dropped.
    socket.on('typing', (...args: unknown[]) => {
      const [payload] = splitArgs(args);
      const room = socket.data.room;
      if (room === null) return;
      const parsed = parseTyping(payload);
      if (!parsed.ok || !limits.typing.take(limitKey).ok) return;
      socket.to(room).volatile.emit('typing', { room, visitor: visitor(), typing: parsed.value });
    });

    socket.on('disconnect', () => {
      metrics.connections.dec();
      leaveRoom();
    });
  });

  return {
    count: (site, room) => presence.get(site)?.count(room) ?? 0,
    close() {
      clearInterval(sweeper);
      coalescer.close();
    },
  };
}

/**
 * Removes a refused child namespace that no socket ever joined. Socket.IO only cleans up children
 * that had a socket (`cleanupEmptyChildNamespaces`), so refused ones would otherwise pile up.
 */
function dropNamespace(io: ChatServer, parent: object, nsp: SiteNamespace): void {
  if (nsp.sockets.size > 0) return;
  io._nsps.delete(nsp.name);
  (parent as { children?: Set<unknown> }).children?.delete(nsp);
  void nsp.adapter.close();
}
