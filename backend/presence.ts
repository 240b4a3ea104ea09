/**
 * Presence arithmetic: who is in which room, counted in distinct visitors, O(1) per change.
 *
 * A visitor with two tabs holds two sockets in a room and counts once; `add` says whether a socket
 * was the visitor's first in the room and `remove` whether it was the last, which is exactly when
 * the protocol sends `joined` and `left`.
 */

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
}
