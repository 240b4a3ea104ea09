/**
 * The one place a socket enters or leaves a page room. A room lives in five records (the socket's
 * `data.room`, Socket.IO's room, presence, the presence coalescer and the metrics), and every
 * change of any of them happens here, in that order, so they cannot drift apart. Changes of one
 * socket are serialised: a join racing a leave or a disconnect is applied in arrival order.
 */
import type { PresenceCoalescer } from '../coalescer.js';
import type { Config } from '../config.js';
import type { PresenceStore } from '../ephemeral/types.js';
import type { Metrics } from '../metrics.js';
import type { Visitor } from '../protocol.js';
import { roomOf, type ChatSocket, type SiteNamespace } from './types.js';

export interface Entered {
  /** True when this socket moved into the room (false when it was there already). */
  moved: boolean;
  /** True when the socket is the visitor's first in the room. */
  visitorChanged: boolean;
}

export interface MembershipDeps {
  config: Pick<Config, 'quietRoomSize'>;
  presence: PresenceStore;
  coalescer: PresenceCoalescer<SiteNamespace>;
  metrics: Metrics;
  visitor(socket: ChatSocket): Visitor;
}

export class RoomMembership {
  private readonly queues = new WeakMap<ChatSocket, Promise<void>>();

  constructor(private readonly deps: MembershipDeps) {}

  /** Moves the socket into `room` (leaving its previous one); the others are told by `announce`. */
  enter(socket: ChatSocket, room: string): Promise<Entered> {
    return this.serial(socket, async () => {
      if (socket.data.room === room) return { moved: false, visitorChanged: false };
      await this.leaveNow(socket, true);
      if (!socket.connected) return { moved: false, visitorChanged: false };
      socket.data.room = room;
      void socket.join(roomOf.page(room));
      try {
        const change = await this.deps.presence.add(socket.data.site, room, socket.data.visitorId);
        this.deps.metrics.joins.inc();
        this.deps.metrics.rooms.set(this.deps.presence.roomCount());
        return { moved: true, visitorChanged: change.visitorChanged };
      } catch (error) {
        socket.data.room = null;
        void socket.leave(roomOf.page(room));
        throw error;
      }
    });
  }

  /** After the join was answered: `joined` to the others, and the count through the coalescer. */
  announce(socket: ChatSocket, room: string, entered: Entered, count: number): void {
    if (!entered.moved || socket.data.room !== room) return; // it left again meanwhile
    if (entered.visitorChanged && count <= this.deps.config.quietRoomSize) {
      socket
        .to(roomOf.page(room))
        .emit('joined', { room, visitor: this.deps.visitor(socket), count });
    }
    this.changed(socket, room);
  }

  /** Takes back an `enter` whose join failed: out of the room, uncounted, nobody told it came. */
  undo(socket: ChatSocket, room: string): Promise<void> {
    return this.serial(socket, async () => {
      if (socket.data.room === room) await this.leaveNow(socket, false);
    });
  }

  /** Leaves the socket's room, if any, telling the others. */
  leave(socket: ChatSocket): Promise<void> {
    return this.serial(socket, () => this.leaveNow(socket, true));
  }

  private async leaveNow(socket: ChatSocket, tell: boolean): Promise<void> {
    const room = socket.data.room;
    if (room === null) return;
    socket.data.room = null;
    void socket.leave(roomOf.page(room));
    const change = await this.deps.presence.remove(socket.data.site, room, socket.data.visitorId);
    this.deps.metrics.rooms.set(this.deps.presence.roomCount());
    if (tell && change.visitorChanged && change.count < this.deps.config.quietRoomSize) {
      socket.nsp
        .to(roomOf.page(room))
        .emit('left', { room, visitor: this.deps.visitor(socket), count: change.count });
    }
    this.changed(socket, room);
  }

  private changed(socket: ChatSocket, room: string): void {
    this.deps.coalescer.changed(`${socket.data.site}\0${room}`, socket.nsp, room);
  }

  private serial<T>(socket: ChatSocket, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(socket);
    const next = previous ? previous.then(fn) : fn();
    // The queue holds only what is still running, so idle sockets keep nothing here.
    const tail: Promise<void> = next.then(
      () => this.settled(socket, tail),
      () => this.settled(socket, tail),
    );
    this.queues.set(socket, tail);
    return next;
  }

  private settled(socket: ChatSocket, tail: Promise<void>): void {
    if (this.queues.get(socket) === tail) this.queues.delete(socket);
  }
}
