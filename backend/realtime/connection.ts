/**
 * Connection and identity: which namespaces are sites, the handshake checks (sites per connection,
 * served site, page origin, ban, per-address connection cap) and the visitor's identity (a signed
 * token or a new id), then `session` and the per-visitor room that makes "every socket of this
 * visitor" one broadcast.
 */
import { countRejection } from '../metrics.js';
import type { ErrorCode } from '../protocol.js';
import { checkSiteName } from '../rooms.js';
import { parseAuth } from '../schemas.js';
import { banFor } from '../sites/directory.js';
import { refusal, wireRefusal } from './errors.js';
import { checkInternals, dropNamespace } from './internals.js';
import type { NameBook } from './names.js';
import { MAX_SITES_PER_CONNECTION, type TransportGuard } from './transport.js';
import type { VisitorLog } from './visitor-log.js';
import {
  roomOf,
  type ChatServer,
  type ChatSocket,
  type RealtimeDeps,
  type SiteNamespace,
} from './types.js';

/** Live site namespaces of this process, so effects never create one by naming it. */
export class SiteNamespaces {
  private readonly live = new Map<string, SiteNamespace>();

  get(site: string): SiteNamespace | undefined {
    return this.live.get(site);
  }

  connected(socket: ChatSocket): void {
    this.live.set(socket.data.site, socket.nsp);
  }

  disconnected(socket: ChatSocket): void {
    if (socket.nsp.sockets.size === 0 && this.live.get(socket.data.site) === socket.nsp) {
      this.live.delete(socket.data.site);
    }
  }
}

/**
 * Declares the site namespaces and their handshake checks; `onConnection` runs for each accepted
 * socket after `session` was sent, `onDisconnect` when it is gone.
 */
export function acceptSites(
  io: ChatServer,
  deps: RealtimeDeps,
  names: NameBook,
  visitors: VisitorLog,
  namespaces: SiteNamespaces,
  guard: TransportGuard,
  onConnection: (socket: ChatSocket) => void,
  onDisconnect: (socket: ChatSocket) => void,
): void {
  const { config, directory, metrics, addresses, clock } = deps;

  const refuse = (code: ErrorCode) => {
    countRejection(metrics, code);
    return wireRefusal(code);
  };
  const tooManySites = () => {
    countRejection(metrics, 'rate_limited');
    return refusal(
      'rate_limited',
      `a connection may use at most ${MAX_SITES_PER_CONNECTION} sites`,
    );
  };
  // The root namespace carries no chat: refuse it with the code a client can act on.
  io.of('/').use((_socket, next) => next(refuse('invalid_site')));

  // Valid, served names become live children of `sites`; every other name goes to `refused`, whose
  // children are answered with the code and then dropped at once.
  const sites = io.of((name, _auth, next) => {
    const site = name.slice(1);
    if (checkSiteName(site) !== 'ok') return next(null, false);
    directory.load(site).then(
      (state) => next(null, state.served),
      (error: unknown) => {
        deps.logger.error({ err: error, site }, 'reading the site failed');
        next(null, false);
      },
    );
  });
  const refused = io.of((_name, _auth, next) => next(null, true));
  checkInternals(io, refused);
  checkInternals(io, sites);
  refused.use((socket, next) => {
    const site = socket.nsp.name.slice(1);
    const valid = checkSiteName(site) === 'ok';
    const loaded = valid ? directory.peek(site) : undefined;
    // A valid name refused because its state could not be read is a server failure, not a refusal.
    const code: ErrorCode = !valid ? 'invalid_site' : loaded ? 'site_not_allowed' : 'internal';
    next(refuse(code));
    dropNamespace(io, refused, socket.nsp);
  });

  sites.use((socket, next) => {
    if (!guard.roomForSite(socket)) {
      next(tooManySites());
      return dropNamespace(io, sites, socket.nsp);
    }
    const site = socket.nsp.name.slice(1);
    const check = async (): Promise<ErrorCode | undefined> => {
      const state = directory.peek(site) ?? (await directory.load(site));
      if (!state.served) return 'site_not_allowed';
      if (!state.originAllowed(socket.handshake.headers.origin)) return 'origin_not_allowed';
      const auth = parseAuth(socket.handshake.auth);
      const visitorId = deps.tokens.verify(site, auth.token) ?? deps.newId();
      const addressHash = guard.addressOf(socket);
      if (banFor(state, visitorId, addressHash, clock())) return 'banned';
      // The transport counts every session of the address; past the cap, sites refuse.
      if ((await addresses.count(addressHash)) > config.maxConnectionsPerIp) return 'rate_limited';
      socket.data = { site, visitorId, room: null, addressHash };
      pendingNames.set(socket, auth.name);
      return undefined;
    };
    check().then(
      (code) => {
        if (code === undefined) return next();
        next(refuse(code));
        dropNamespace(io, sites, socket.nsp);
      },
      (error: unknown) => {
        deps.logger.error({ err: error, site }, 'handshake failed');
        next(refuse('internal'));
        dropNamespace(io, sites, socket.nsp);
      },
    );
  });

  /** The name the handshake asked for, until the socket connects. */
  const pendingNames = new WeakMap<ChatSocket, string | undefined>();

  sites.on('connection', (socket: ChatSocket) => {
    const { site, visitorId, addressHash } = socket.data;
    metrics.connections.inc();
    namespaces.connected(socket);
    guard.entered(socket);
    void socket.join(roomOf.visitor(visitorId));
    const wanted = pendingNames.get(socket);
    pendingNames.delete(socket);
    const { name, renamed } = names.attach(site, visitorId, wanted);
    visitors.seen(site, visitorId, addressHash);
    socket.emit('session', { visitorId, token: deps.tokens.sign(site, visitorId), name });
    // A handshake name is a rename: the visitor's other sockets go by it from now on.
    if (renamed) {
      socket
        .to(roomOf.visitor(visitorId))
        .emit('renamed', { room: '', visitor: { id: visitorId, name } });
    }
    // One listener undoes the connection; `onDisconnect` undoes what the other modules did.
    socket.on('disconnect', () => {
      metrics.connections.dec();
      guard.left(socket);
      namespaces.disconnected(socket);
      onDisconnect(socket);
    });
    onConnection(socket);
  });
}
