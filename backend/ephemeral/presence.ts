/**
 * Presence arithmetic: who is in which room, counted in distinct visitors, O(1) per change.
 *
 * A visitor with two tabs holds two sockets in a room and counts once; `add` says whether a socket
 * was the visitor's first in the room and `remove` whether it was the last, which is exactly when
 * the protocol sends `joined` and `left`. A site's records are dropped with its last visitor, so
 * probing many site names leaves nothing behind, and the total of live rooms is kept as it changes
 * rather than counted by walking every site.
 */
import type { PresenceStore, RoomCount } from './types.js';

export interface PresenceChange {
  /** The room's count of distinct visitors after the change. */
  count: number;
  /** True when the visitor entered (add) or left (remove) the room with this socket. */
  visitorChanged: boolean;
}

export class PresenceTracker {
  /** room -> visitor id -> number of that visitor's sockets in the room. */
  private readonly rooms = new Map<string, Map<string, number>>();

  add(room: string, visitorId: string): PresenceChange {
    let visitors = this.rooms.get(room);
    if (!visitors) {
      visitors = new Map();
      this.rooms.set(room, visitors);
    }
    const sockets = visitors.get(visitorId) ?? 0;
    visitors.set(visitorId, sockets + 1);
    return { count: visitors.size, visitorChanged: sockets === 0 };
  }

  remove(room: string, visitorId: string): PresenceChange {
    const visitors = this.rooms.get(room);
    const sockets = visitors?.get(visitorId);
    if (!visitors || sockets === undefined)
      return { count: visitors?.size ?? 0, visitorChanged: false };
    if (sockets > 1) {
      visitors.set(visitorId, sockets - 1);
      return { count: visitors.size, visitorChanged: false };
    }
    visitors.delete(visitorId);
    if (visitors.size === 0) this.rooms.delete(room);
    return { count: visitors.size, visitorChanged: true };
  }

  count(room: string): number {
    return this.rooms.get(room)?.size ?? 0;
  }

  /** Number of rooms with at least one visitor. */
  get roomCount(): number {
    return this.rooms.size;
  }

  /**
   * Distinct visitors in any room, counted when asked (by the moderators' view, every few
   * seconds) rather than kept, so connections cost no extra memory for it.
   */
  get visitorCount(): number {
    const seen = new Set<string>();
    for (const visitors of this.rooms.values()) for (const id of visitors.keys()) seen.add(id);
    return seen.size;
  }

  /** The busiest `limit` rooms, busiest first (ties by room key). */
  busiest(limit: number): RoomCount[] {
    const all: RoomCount[] = [];
    for (const [room, visitors] of this.rooms) all.push({ room, count: visitors.size });
    all.sort((a, b) => b.count - a.count || (a.room < b.room ? -1 : 1));
    return all.slice(0, limit);
  }
}

/** Presence of every site in this process's memory. */
export class MemoryPresence implements PresenceStore {
  private readonly sites = new Map<string, PresenceTracker>();
  private rooms = 0;

  async add(site: string, room: string, visitorId: string): Promise<PresenceChange> {
    let tracker = this.sites.get(site);
    if (!tracker) {
      tracker = new PresenceTracker();
      this.sites.set(site, tracker);
    }
    const before = tracker.roomCount;
    const change = tracker.add(room, visitorId);
    this.rooms += tracker.roomCount - before;
    return change;
  }

  async remove(site: string, room: string, visitorId: string): Promise<PresenceChange> {
    const tracker = this.sites.get(site);
    if (!tracker) return { count: 0, visitorChanged: false };
    const before = tracker.roomCount;
    const change = tracker.remove(room, visitorId);
    this.rooms += tracker.roomCount - before;
    if (tracker.roomCount === 0) this.sites.delete(site);
    return change;
  }

  async count(site: string, room: string): Promise<number> {
    return this.sites.get(site)?.count(room) ?? 0;
  }

  async snapshot(site: string, limit: number) {
    const tracker = this.sites.get(site);
    return { visitors: tracker?.visitorCount ?? 0, rooms: tracker?.busiest(limit) ?? [] };
  }

  roomCount(): number {
    return this.rooms;
  }

  /** Sites with at least one visitor (for tests of eviction). */
  get siteCount(): number {
    return this.sites.size;
  }
}
