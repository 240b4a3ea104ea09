/**
 * What a connection may cost before and after it reaches a site, enforced at the transport
 * (Engine.IO) so a client that never speaks Socket.IO is bounded too:
 *
 * - a new session is refused when the process holds `maxConnections`, when its address opened
 *   `handshakeRate` sessions too fast, or holds `maxConnectionsPerIp` (plus a small slack);
 *   sessions count from the transport handshake, whether or not they ever reach a site, and
 *   Socket.IO closes one that reaches none within its connect timeout;
 * - a session may be connected to `MAX_SITES_PER_CONNECTION` sites at once, and may try
 *   `MAX_CONNECT_ATTEMPTS` namespaces a minute before it is closed;
 * - a session whose unsent output passes `maxBufferedBytes` (a reader slower than the room) is
 *   dropped, its buffers with it. Sessions are swept four times a second rather than watched on
 *   every packet: the broadcast path stays as fast as bare Socket.IO's, and a connection whose
 *   queue is short (nearly all of them) costs one comparison per sweep.
 *
 * Refusals at the transport answer HTTP 403 with `{ code, message }` (Engine.IO's form) and the
 * client's own reconnection backs off; a client within the cap that a site refuses still gets the
 * protocol's `connect_error` (`rate_limited`).
 */
import type { IncomingMessage } from 'node:http';
import { clientAddress, type AddressHasher } from '../address.js';
import type { Config } from '../config.js';
import type { AddressCounter, Limiter } from '../ephemeral/types.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import {
  checkConnectionInternals,
  dropConnection,
  engineConnections,
  finishClose,
  queuedPackets,
  socketBuffered,
  unsentBytes,
  type EngineConnection,
} from './internals.js';
import type { ChatServer, ChatSocket } from './types.js';

/**
 * Sessions an address may open beyond `maxConnectionsPerIp`: a client over the cap still reaches
 * its site's handshake and hears `rate_limited` there, as the protocol says, instead of a refused
 * transport.
 */
export const SESSION_SLACK = 10;
/** Sites one connection may be connected to at once (a page embeds one). */
export const MAX_SITES_PER_CONNECTION = 3;
/** Namespace connection attempts one connection may make per minute before it is closed. */
export const MAX_CONNECT_ATTEMPTS = 20;
const ATTEMPT_WINDOW_MS = 60_000;
/** A session that reaches no site within this time is closed, discarding what it buffered. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** How long a closed WebSocket may take to finish its closing handshake before it is cut. */
const CLOSE_GRACE_MS = 500;
/** How often every connection's queue is looked at. */
const SWEEP_MS = 250;
/** Queues shorter than this many packets are not measured in bytes. */
const MEASURE_FROM = 16;
/** The first character of a Socket.IO CONNECT packet ("0/site,{...}"). */
const SOCKET_IO_CONNECT = 48;

/** What the guard keeps per connection. */
interface Session {
  /** Keyed hash of the client address of the handshake. */
  address: string;
  /** Whether the address count was taken (released on close). */
  counted: Promise<boolean>;
  /** Sites this connection is connected to. */
  sites: number;
  attempts: number;
  windowStart: number;
  /** Closes the session unless it reaches a site in time; cleared when it does. */
  timeout: NodeJS.Timeout | undefined;
}

export interface TransportGuardDeps {
  config: Config;
  addresses: AddressCounter;
  hashAddress: AddressHasher;
  /** New sessions per address. */
  handshakes: Limiter;
  clock: () => number;
  logger: Logger;
  metrics: Metrics;
}

export interface TransportGuard {
  /** Engine.IO's `allowRequest` hook: runs for each new session, before it exists. */
  allowRequest(req: IncomingMessage, callback: (message: string | null, ok: boolean) => void): void;
  /** Counts sessions, watches their output; call once with the Socket.IO server. */
  attach(io: ChatServer): void;
  /** Stops watching. */
  close(): void;
  /** The keyed address hash of a socket's connection. */
  addressOf(socket: ChatSocket): string;
  /** Whether the socket's connection may connect one more site. */
  roomForSite(socket: ChatSocket): boolean;
  /** Drops the socket's whole connection at once (an abusive client). */
  drop(socket: ChatSocket): void;
  /** The socket connected to a site, or left it. */
  entered(socket: ChatSocket): void;
  left(socket: ChatSocket): void;
}

export function createTransportGuard(deps: TransportGuardDeps): TransportGuard {
  const { config, addresses, metrics, clock } = deps;
  const sessions = new WeakMap<EngineConnection, Session>();
  const sessionCap = config.maxConnectionsPerIp + SESSION_SLACK;
  let engineClients = (): number => 0;
  let warnedProxy = false;

  const addressOfRequest = (req: IncomingMessage): string => {
    const forwarded = req.headers['x-forwarded-for'];
    if (forwarded !== undefined && config.trustProxy === 0 && !warnedProxy) {
      warnedProxy = true;
      deps.logger.warn(
        'requests carry X-Forwarded-For but PAGECHAT_TRUST_PROXY is 0: every visitor behind the proxy shares its address and its limits',
      );
    }
    return deps.hashAddress(clientAddress(req.socket.remoteAddress, forwarded, config.trustProxy));
  };

  const refuse = (reason: string, callback: (message: string | null, ok: boolean) => void) => {
    metrics.transportRefusals.inc({ reason });
    callback(`rate_limited: ${reason}`, false);
  };

  // One listener for every connection (`this` is the connection), so watching costs no closure each.
  // Socket.IO CONNECT packets are counted as they arrive, before Socket.IO creates a namespace for
  // the name or asks the directory about it; a connection over the limit is dropped at once.
  function onData(this: EngineConnection, data: unknown): void {
    if (typeof data !== 'string' || data.charCodeAt(0) !== SOCKET_IO_CONNECT) return;
    const session = sessions.get(this);
    if (!session) return;
    const now = clock();
    if (now - session.windowStart >= ATTEMPT_WINDOW_MS) {
      session.windowStart = now;
      session.attempts = 0;
    }
    session.attempts += 1;
    if (session.attempts > MAX_CONNECT_ATTEMPTS) {
      metrics.transportRefusals.inc({ reason: 'too many namespace attempts' });
      dropConnection(this);
    }
  }

  function onClose(this: EngineConnection): void {
    const session = sessions.get(this);
    if (!session) return;
    clearTimeout(session.timeout);
    finishClose(this, CLOSE_GRACE_MS);
    void session.counted.then((ok) => (ok ? addresses.release(session.address) : undefined));
  }

  const sweep = (clients: Record<string, EngineConnection>): void => {
    for (const id in clients) {
      const conn = clients[id]!;
      // Cheap tests first: a short queue and a small socket buffer are all but every connection.
      if (queuedPackets(conn) < MEASURE_FROM && socketBuffered(conn) < config.maxBufferedBytes) {
        continue;
      }
      if (unsentBytes(conn) <= config.maxBufferedBytes) continue;
      metrics.slowConsumers.inc();
      deps.logger.debug('dropping a connection that does not read its output');
      dropConnection(conn);
    }
  };
  let sweeper: NodeJS.Timeout | undefined;

  return {
    allowRequest(req, callback) {
      if (engineClients() >= config.maxConnections) {
        return refuse('the server is at its connection limit', callback);
      }
      const address = addressOfRequest(req);
      addresses.count(address).then(
        async (open) => {
          if (open >= sessionCap) return refuse('too many connections from this address', callback);
          const allowed = await deps.handshakes.take(address);
          if (!allowed.ok) return refuse('too many new connections from this address', callback);
          callback(null, true);
        },
        (error: unknown) => {
          deps.logger.error({ err: error }, 'counting connections failed');
          callback('internal', false);
        },
      );
    },

    attach(io) {
      engineClients = () => io.engine.clientsCount;
      let checked = false;
      io.engine.on('connection', (conn: EngineConnection) => {
        if (!checked) {
          checked = true;
          try {
            checkConnectionInternals(conn);
            sweeper = setInterval(() => sweep(engineConnections(io)), SWEEP_MS);
            sweeper.unref();
          } catch (error) {
            deps.logger.error({ err: error }, 'slow readers are not bounded');
          }
        }
        const address = addressOfRequest(conn.request);
        const counted = addresses.acquire(address, sessionCap).catch(() => false);
        const now = clock();
        // Before Socket.IO's own connect timeout, which closes politely: a polling session that
        // never polls again would then wait 30 s for a request to answer. This one discards.
        const timeout = setTimeout(() => {
          if (conn.readyState !== 'closed') conn.close(true);
        }, CONNECT_TIMEOUT_MS);
        timeout.unref();
        const session: Session = {
          address,
          counted,
          sites: 0,
          attempts: 0,
          windowStart: now,
          timeout,
        };
        sessions.set(conn, session);
        // Two handshakes of one address may pass `allowRequest` together; the count decides.
        void counted.then((ok) => {
          if (!ok && conn.readyState !== 'closed') conn.close(true);
        });
        conn.once('close', onClose);
        // Before Socket.IO's own listener (registered when it made its client for this connection).
        conn.prependListener('data', onData);
      });
    },

    addressOf(socket) {
      return sessions.get(socket.conn)?.address ?? addressOfRequest(socket.request);
    },

    close() {
      clearInterval(sweeper);
    },

    roomForSite(socket) {
      return (sessions.get(socket.conn)?.sites ?? 0) < MAX_SITES_PER_CONNECTION;
    },

    drop(socket) {
      dropConnection(socket.conn);
    },

    entered(socket) {
      const session = sessions.get(socket.conn);
      if (!session) return;
      session.sites += 1;
      if (session.timeout) {
        clearTimeout(session.timeout);
        session.timeout = undefined;
      }
    },

    left(socket) {
      const session = sessions.get(socket.conn);
      if (session) session.sites -= 1;
    },
  };
}
