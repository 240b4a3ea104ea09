/**
 * `join` and `leave`: rate-limited on every join (re-joining the same room included, since each
 * join reads history), answered with the room's count, welcome, history, limits and paused state,
 * and undone completely when reading history fails, whichever of the visitor's sockets asked.
 */
import { LIMITS, type JoinResult } from '../protocol.js';
import { parseJoin, parseLeave } from '../schemas.js';
import { isReadOnly } from '../sites/directory.js';
import { failure, handler, type Request } from './errors.js';
import type { RoomMembership } from './membership.js';
import { pairOf, takeAll, type RequestLimits } from './limits.js';
import type { ChatSocket, RealtimeDeps, SocketContext } from './types.js';

/** The `join` and `leave` listeners of a socket, from handlers made once per server. */
export function roomHandlers(
  deps: RealtimeDeps,
  membership: RoomMembership,
  limits: RequestLimits,
): (socket: ChatSocket, context: SocketContext) => void {
  const { config, directory, storage, presence } = deps;

  const join: Request<JoinResult> = async (socket, context, payload, reply) => {
    const { site } = context;
    const parsed = parseJoin(payload);
    if (!parsed.ok) return reply(failure(parsed.code, parsed.message));
    const { room } = parsed.value;
    const allowed = await takeAll(pairOf(limits.join, context));
    if (!allowed.ok) return reply(failure('rate_limited', undefined, allowed.retryAfterMs));
    const state = directory.peek(site) ?? (await directory.load(site));
    const entered = await membership.enter(socket, room);
    let history;
    let count;
    try {
      [history, count] = await Promise.all([
        storage.messages.recent(site, room, LIMITS.historyMax),
        presence.count(site, room),
      ]);
    } catch (error) {
      // Answering `internal` must leave the socket out of the room it asked for, uncounted.
      if (entered.moved) await membership.undo(socket, room);
      throw error;
    }
    reply({
      ok: true,
      room,
      count,
      welcome: state.settings.welcome ?? config.welcome,
      history,
      limits: { textMax: config.maxTextLength, slowModeMs: state.settings.slowModeMs },
      readOnly: isReadOnly(state, room),
    });
    // Tell the others after answering, so the newcomer's first word about its room is the ack.
    membership.announce(socket, room, entered, count);
  };

  const leave: Request<object> = async (socket, _context, payload, reply) => {
    const parsed = parseLeave(payload);
    if (!parsed.ok) return reply(failure(parsed.code, parsed.message));
    await membership.leave(socket);
    reply({ ok: true });
  };

  return (socket, context) => {
    socket.on('join', handler(socket, context, 'join', join));
    socket.on('leave', handler(socket, context, 'leave', leave));
  };
}
