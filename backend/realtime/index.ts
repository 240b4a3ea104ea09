/**
 * The realtime layer: one Socket.IO namespace per site, one room per page, every client event of
 * PROTOCOL.md, moderation effects and the moderators' live view. This file only wires the parts,
 * each in its own module: connection and identity, room membership, messages, names and typing,
 * moderation, and `/admin`. It owns nothing it does not clear on `close()`.
 */
import { PresenceCoalescer } from '../coalescer.js';
import type { RoomsPayload } from '../admin-protocol.js';
import { isReadOnly } from '../sites/directory.js';
import { attachAdmin } from './admin.js';
import { acceptSites, SiteNamespaces } from './connection.js';
import { RoomMembership } from './membership.js';
import { messageHandlers } from './messages.js';
import { Moderation } from './moderation.js';
import { nameHandlers, NameBook, visitorOf } from './names.js';
import { roomHandlers } from './rooms.js';
import { requestLimits } from './limits.js';
import {
  roomOf,
  type ChatServer,
  type ChatSocket,
  type RealtimeDeps,
  type SiteNamespace,
} from './types.js';
import { VisitorLog } from './visitor-log.js';

export type { ChatServer, RealtimeDeps, SocketData } from './types.js';

export interface Realtime {
  /** Distinct visitors in `room` of `site`. */
  count(site: string, room: string): Promise<number>;
  /** Live rooms of a site, busiest first, with their paused state. */
  rooms(site: string, limit: number): Promise<RoomsPayload>;
  /** Effects the owner API triggers directly. */
  moderation: Moderation;
  /** The address a visitor was last seen with: live or recently connected here, else stored. */
  lastAddress(site: string, visitorId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export function attachRealtime(io: ChatServer, deps: RealtimeDeps): Realtime {
  const { config, directory, presence, limiters } = deps;

  const names = new NameBook();
  const visitors = new VisitorLog(deps.storage.visitors, deps.clock, deps.logger);
  const namespaces = new SiteNamespaces();
  const coalescer = new PresenceCoalescer<SiteNamespace>({
    windowMs: config.presenceWindowMs,
    clock: deps.clock,
    count: (nsp, room) => presence.count(nsp.name.slice(1), room),
    emit: (nsp, room, count) => nsp.to(roomOf.page(room)).emit('presence', { room, count }),
  });
  const limits = requestLimits(config, limiters);
  // Shared by every socket's context: an address past its invalid requests loses the socket.
  const invalid = (socket: ChatSocket): void => {
    limits.invalid.take(socket.data.addressHash).then(
      (allowed) => {
        if (allowed.ok || !socket.connected) return;
        deps.metrics.invalidDisconnects.inc();
        // Dropped, not closed politely: a polite close would read on while the client's backlog
        // of invalid frames drains.
        deps.guard.drop(socket);
      },
      () => undefined,
    );
  };
  const membership = new RoomMembership({
    config,
    presence,
    coalescer,
    metrics: deps.metrics,
    visitor: (socket) => visitorOf(names, socket),
  });

  const rooms = async (site: string, limit: number): Promise<RoomsPayload> => {
    const [state, live] = await Promise.all([directory.load(site), presence.snapshot(site, limit)]);
    return {
      visitors: live.visitors,
      rooms: live.rooms.map(({ room, count }) => ({
        room,
        count,
        readOnly: isReadOnly(state, room),
      })),
    };
  };
  const admin = attachAdmin(io, deps, deps.authFailures, rooms);
  const moderation = new Moderation(namespaces, admin);
  directory.onChange((site, before, after) => moderation.apply(site, before, after));

  const registerRooms = roomHandlers(deps, membership, limits);
  const registerMessages = messageHandlers({ ...deps, toModerators: admin.message }, names, limits);
  const registerNames = nameHandlers(names, limits);
  acceptSites(
    io,
    deps,
    names,
    visitors,
    namespaces,
    deps.guard,
    (socket) => {
      const { site, visitorId, addressHash } = socket.data;
      const context = {
        logger: deps.logger,
        metrics: deps.metrics,
        site,
        limitKey: `${site}\0${visitorId}`,
        addressKey: addressHash,
        invalid,
      };
      registerRooms(socket, context);
      registerMessages(socket, context);
      registerNames(socket, context);
    },
    // The name is released after the leave, so `left` still carries it.
    (socket) =>
      void membership
        .leave(socket)
        .finally(() => names.detach(socket.data.site, socket.data.visitorId)),
  );

  return {
    count: (site, room) => presence.count(site, room),
    rooms,
    moderation,
    async lastAddress(site, visitorId) {
      const buffered = visitors.buffered(site, visitorId);
      if (buffered !== undefined) return buffered;
      const live = namespaces.get(site)?.adapter.rooms.get(roomOf.visitor(visitorId));
      for (const id of live ?? []) {
        const socket = namespaces.get(site)?.sockets.get(id);
        if (socket) return socket.data.addressHash;
      }
      return undefined;
    },
    async close() {
      coalescer.close();
      admin.close();
      await visitors.close();
    },
  };
}
