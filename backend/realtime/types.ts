/**
 * Types shared by the realtime modules: the typed Socket.IO server, namespaces and sockets, the
 * per-socket state kept in Socket.IO's own `socket.data`, and the collaborators every module gets.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import type { AddressHasher } from '../address.js';
import type { Config } from '../config.js';
import type { AddressCounter, Limiter, Limiters, PresenceStore } from '../ephemeral/types.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol.js';
import type { SiteDirectory } from '../sites/directory.js';
import type { Storage } from '../store/types.js';
import type { TokenSigner } from '../tokens.js';
import type { TransportGuard } from './transport.js';

/** Per-socket state. `room` changes only in `membership.ts`. */
export interface SocketData {
  site: string;
  visitorId: string;
  /** The page room this socket is in, or null. */
  room: string | null;
  /** Keyed hash of the client address; the address itself is never kept. */
  addressHash: string;
}

export type InterServerEvents = Record<string, never>;
export type ChatServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type SiteNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type ChatSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export interface RealtimeDeps {
  config: Config;
  storage: Storage;
  directory: SiteDirectory;
  presence: PresenceStore;
  limiters: Limiters;
  addresses: AddressCounter;
  /** The transport's limits: sessions per address, sites per connection. */
  guard: TransportGuard;
  hashAddress: AddressHasher;
  tokens: TokenSigner;
  clock: () => number;
  newId: () => string;
  logger: Logger;
  metrics: Metrics;
  /** Failed credentials per client address, shared with the HTTP API. */
  authFailures: Limiter;
  /** Resolves `/admin` credentials (a site key or the operator token). */
  authenticate(
    credential: string,
  ): Promise<{ actor: 'operator' } | { actor: 'owner'; site: string } | undefined>;
}

/** What every request handler of one socket shares, made once per connection. */
export interface SocketContext {
  logger: Logger;
  metrics: Metrics;
  site: string;
  /** Key of the visitor's rate-limit buckets: site and visitor id. */
  limitKey: string;
  /** Key of the client address's buckets: its keyed hash, over all sites. */
  addressKey: string;
  /** Counts an invalid request from the socket's address; past the limit, disconnects the socket. */
  invalid(socket: ChatSocket): void;
}

/**
 * Socket.IO room names. Page rooms and visitors live in one room namespace per site, so each kind
 * has its own prefix: a client choosing the page key "v:x" or another socket's id can never land
 * in a visitor's or a socket's private room.
 */
export const roomOf = {
  page: (key: string) => `r:${key}`,
  visitor: (visitorId: string) => `v:${visitorId}`,
} as const;

/** The page key of a Socket.IO room name, or undefined for other rooms. */
export function pageKeyOf(name: string): string | undefined {
  return name.startsWith('r:') ? name.slice(2) : undefined;
}
