/**
 * `message:send`: the checks a message passes in order (payload, room, ban, paused room, blocked
 * words, nonce retry, rate limits of the visitor, its address and the room, slow mode), then durable storage, and only then the broadcast and
 * the acknowledgement, so an acknowledged message is always a stored one.
 */
import type { Message, SendResult } from '../protocol.js';
import { parseSend } from '../schemas.js';
import { banFor, isReadOnly } from '../sites/directory.js';
import { failure, handler, type Request } from './errors.js';
import { visitorOf, type NameBook } from './names.js';
import { pairOf, takeAll, type RequestLimits } from './limits.js';
import { roomOf, type ChatSocket, type RealtimeDeps, type SocketContext } from './types.js';

export interface MessageDeps extends RealtimeDeps {
  /** Tells the site's moderators (the `/admin` live view) of a new message. */
  toModerators(site: string, message: Message): void;
}

/** The `message:send` listener of a socket, from a handler made once per server. */
export function messageHandlers(
  deps: MessageDeps,
  names: NameBook,
  limits: RequestLimits,
): (socket: ChatSocket, context: SocketContext) => void {
  const { config, directory, storage, limiters, clock, metrics } = deps;

  const send: Request<SendResult> = async (socket, context, payload, reply) => {
    const { site } = context;
    const parsed = parseSend(payload, config.maxTextLength);
    if (!parsed.ok) return reply(failure(parsed.code, parsed.message));
    const room = socket.data.room;
    if (room === null) return reply(failure('not_joined'));
    const { visitorId } = socket.data;
    const state = directory.peek(site) ?? (await directory.load(site));
    if (banFor(state, visitorId, socket.data.addressHash, clock())) {
      return reply(failure('banned'));
    }
    if (isReadOnly(state, room)) return reply(failure('read_only'));
    const { text, nonce } = parsed.value;
    if (state.blocks(text)) return reply(failure('text_not_allowed'));
    // A retry of a message already stored is answered without spending the visitor's budgets.
    if (nonce !== undefined) {
      const original = await storage.messages.findByNonce(site, visitorId, nonce);
      if (original) return reply({ ok: true, message: original });
    }
    // The visitor's, its address's and the room's budgets: new identities share the address's.
    const allowed = await takeAll([
      ...pairOf(limits.message, context),
      [limits.room, `${site}\0${room}`],
    ]);
    if (!allowed.ok) return reply(failure('rate_limited', undefined, allowed.retryAfterMs));
    const slow = await limiters.interval(
      `slow\0${site}\0${room}\0${visitorId}`,
      state.settings.slowModeMs,
    );
    if (!slow.ok) {
      const every = Math.ceil(state.settings.slowModeMs / 1000);
      const message = `slow mode: one message every ${every} s in this room`;
      return reply(failure('rate_limited', message, slow.retryAfterMs));
    }
    const stored = await storage.messages.append(
      site,
      { id: deps.newId(), room, visitor: visitorOf(names, socket), text, ts: clock() },
      nonce,
    );
    if (!stored.duplicate) {
      socket.to(roomOf.page(stored.message.room)).emit('message', stored.message);
      deps.toModerators(site, stored.message);
      metrics.messages.inc();
    }
    reply({ ok: true, message: stored.message });
  };

  return (socket, context) => {
    socket.on('message:send', handler(socket, context, 'message:send', send));
  };
}
