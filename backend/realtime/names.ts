/**
 * Display names and typing. A name belongs to the visitor on a site, not to one socket (PROTOCOL
 * 1.1): the name book holds one name per connected visitor, every socket of the visitor reads it,
 * and a rename reaches the visitor's other sockets through its per-visitor room in one broadcast.
 */
import { defaultName } from '../names.js';
import type { NameResult, Visitor } from '../protocol.js';
import { parseName, parseTyping } from '../schemas.js';
import { failure, handler, splitArgs, type Request } from './errors.js';
import { pairOf, takeAll, type RequestLimits } from './limits.js';
import { roomOf, type ChatSocket, type SocketContext } from './types.js';

/** Names of the visitors connected to this process, per site, dropped with their last socket. */
export class NameBook {
  /** site -> visitor id -> name and open sockets; keyed by the strings sockets already hold. */
  private readonly sites = new Map<string, Map<string, { name: string; sockets: number }>>();

  /**
   * A socket of the visitor connected, asking for `wanted` (a handshake name, which counts as a
   * rename); returns the name the visitor goes by, and whether its other sockets must be told.
   */
  attach(
    site: string,
    visitorId: string,
    wanted: string | undefined,
  ): { name: string; renamed: boolean } {
    let visitors = this.sites.get(site);
    if (!visitors) {
      visitors = new Map();
      this.sites.set(site, visitors);
    }
    const entry = visitors.get(visitorId);
    if (entry) {
      entry.sockets += 1;
      const renamed = wanted !== undefined && wanted !== entry.name;
      if (renamed) entry.name = wanted;
      return { name: entry.name, renamed };
    }
    const name = wanted ?? defaultName(visitorId);
    visitors.set(visitorId, { name, sockets: 1 });
    return { name, renamed: false };
  }

  detach(site: string, visitorId: string): void {
    const visitors = this.sites.get(site);
    const entry = visitors?.get(visitorId);
    if (!visitors || !entry) return;
    entry.sockets -= 1;
    if (entry.sockets > 0) return;
    visitors.delete(visitorId);
    if (visitors.size === 0) this.sites.delete(site);
  }

  get(site: string, visitorId: string): string {
    return this.sites.get(site)?.get(visitorId)?.name ?? defaultName(visitorId);
  }

  set(site: string, visitorId: string, name: string): void {
    const entry = this.sites.get(site)?.get(visitorId);
    if (entry) entry.name = name;
  }
}

export function visitorOf(names: NameBook, socket: ChatSocket): Visitor {
  return { id: socket.data.visitorId, name: names.get(socket.data.site, socket.data.visitorId) };
}

/** The `name:set` and `typing` listeners of a socket, from handlers made once per server. */
export function nameHandlers(
  names: NameBook,
  limits: RequestLimits,
): (socket: ChatSocket, context: SocketContext) => void {
  const rename: Request<NameResult> = async (socket, context, payload, reply) => {
    const { site } = context;
    const parsed = parseName(payload);
    if (!parsed.ok) return reply(failure(parsed.code, parsed.message));
    const allowed = await takeAll(pairOf(limits.rename, context));
    if (!allowed.ok) return reply(failure('rate_limited', undefined, allowed.retryAfterMs));
    const { visitorId } = socket.data;
    names.set(site, visitorId, parsed.value);
    const visitor = visitorOf(names, socket);
    const room = socket.data.room;
    // One broadcast: the others in this room, and every other socket of the visitor on the site.
    const targets = room === null ? [] : [roomOf.page(room)];
    socket
      .to([...targets, roomOf.visitor(visitorId)])
      .emit('renamed', { room: room ?? '', visitor });
    reply({ ok: true, visitor });
  };

  // `typing` takes no ack and is best-effort: bad payloads, a missing room and floods are dropped
  // (a bad payload still counts against the address's invalid requests).
  const typing = (socket: ChatSocket, context: SocketContext, args: unknown[]): void => {
    const [payload] = splitArgs(args);
    const parsed = parseTyping(payload);
    if (!parsed.ok) return context.invalid(socket);
    const room = socket.data.room;
    if (room === null) return;
    takeAll(pairOf(limits.typing, context)).then(
      (allowed) => {
        if (!allowed.ok || socket.data.room !== room) return;
        socket.to(roomOf.page(room)).volatile.emit('typing', {
          room,
          visitor: visitorOf(names, socket),
          typing: parsed.value,
        });
      },
      () => undefined,
    );
  };

  return (socket, context) => {
    socket.on('name:set', handler(socket, context, 'name:set', rename));
    socket.on('typing', (...args: unknown[]) => typing(socket, context, args));
  };
}
