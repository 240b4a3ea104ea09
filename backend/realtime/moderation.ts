/**
 * Moderation as sockets see it: a deleted message leaves every open room, a paused room or site
 * tells its rooms, a ban kicks every socket it covers, a deleted site disconnects its sockets.
 *
 * Effects that follow a change of a site's state are derived from the difference between its old
 * and new state (see `SiteDirectory`), on each process for its own sockets, so they happen once
 * per socket however the change arrived (this process's API, the CLI, another process).
 */
import type { KickedPayload } from '../protocol.js';
import { isReadOnly, type SiteState } from '../sites/directory.js';
import type { SiteNamespaces } from './connection.js';
import { messageFor } from './errors.js';
import { pageKeyOf, roomOf } from './types.js';

export const KICKED: KickedPayload = { code: 'banned', message: messageFor('banned') };

export interface ModeratorRooms {
  /** Tells the site's moderators a message was deleted. */
  deleted(site: string, room: string, id: string): void;
  /** Disconnects the site's moderators who signed in with a site key (rotated or deleted). */
  signOutOwners(site: string): void;
  /** Disconnects every moderator of the site (deleted). */
  signOutAll(site: string): void;
}

export class Moderation {
  constructor(
    private readonly namespaces: SiteNamespaces,
    private readonly moderators: ModeratorRooms,
  ) {}

  /** A moderator deleted message `id` of `room`. */
  deleted(site: string, room: string, id: string): void {
    this.namespaces.get(site)?.to(roomOf.page(room)).emit('deleted', { room, id });
    this.moderators.deleted(site, room, id);
  }

  /** Applies the difference between two states of a site to this process's sockets. */
  apply(site: string, before: SiteState | undefined, after: SiteState): void {
    if (before?.keyHash !== after.keyHash) this.moderators.signOutOwners(site);
    if (!after.claimed && before?.claimed) this.moderators.signOutAll(site);
    const nsp = this.namespaces.get(site);
    if (!nsp) return;
    // A site no longer served, or deleted by its owner (open sites would serve it again, afresh).
    if (!after.served || (before?.claimed && !after.claimed)) {
      nsp.local.disconnectSockets(true);
      return;
    }
    const known = new Set(before?.bans.map((ban) => ban.id));
    const addresses = new Set<string>();
    for (const ban of after.bans) {
      if (known.has(ban.id)) continue;
      const visitor = roomOf.visitor(ban.visitorId);
      nsp.local.to(visitor).emit('kicked', KICKED);
      nsp.local.in(visitor).disconnectSockets(true);
      if (ban.byAddress && ban.addressHash !== null) addresses.add(ban.addressHash);
    }
    // Sockets from a banned address: one pass over this process's sockets of the site, which
    // costs less than a room per address on every connection, for an action this rare.
    if (addresses.size > 0) {
      for (const socket of nsp.sockets.values()) {
        if (!addresses.has(socket.data.addressHash)) continue;
        socket.emit('kicked', KICKED);
        socket.disconnect(true);
      }
    }
    if (!before) return;
    for (const name of nsp.adapter.rooms.keys()) {
      const room = pageKeyOf(name);
      if (room === undefined) continue;
      const readOnly = isReadOnly(after, room);
      if (readOnly !== isReadOnly(before, room)) {
        nsp.local.to(name).emit('room', { room, readOnly });
      }
    }
  }
}
