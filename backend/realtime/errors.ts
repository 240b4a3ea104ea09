/**
 * Error codes on the wire: the words that go with them, the failure acks and handshake refusals
 * built from them, and the wrapper that turns a thrown error into `internal` instead of a crash.
 */
import { countRejection } from '../metrics.js';
import type { Ack, ConnectErrorData, ErrorCode, Failure } from '../protocol.js';
import type { ChatSocket, SocketContext } from './types.js';

const MESSAGES: Record<ErrorCode, string> = {
  invalid_site: 'the site name is not valid or is reserved',
  site_not_allowed: 'this server does not serve this site',
  origin_not_allowed: 'this page may not embed this site',
  banned: 'this visitor may not use this site',
  invalid_payload: 'the payload does not match the protocol',
  not_joined: 'join a room first',
  too_long: 'the text is too long',
  rate_limited: 'too many requests; retry later',
  read_only: 'this room is paused by a moderator',
  text_not_allowed: 'the text contains a word this site does not allow',
  internal: 'the server failed; retry the request',
};

export function messageFor(code: ErrorCode): string {
  return MESSAGES[code];
}

export function failure(code: ErrorCode, message = MESSAGES[code], retryAfterMs?: number): Failure {
  return {
    ok: false,
    error: retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs },
  };
}

/** An Error for Socket.IO middleware: the client's `connect_error` gets `message` = code and `data`. */
export function refusal<C extends string>(
  code: C,
  message: string,
): Error & { data: { code: C; message: string } } {
  return Object.assign(new Error(code), { data: { code, message } });
}

export function wireRefusal(code: ErrorCode): Error & { data: ConnectErrorData } {
  return refusal(code, MESSAGES[code]);
}

/** Splits an event's arguments into the payload and the acknowledgement callback, if any. */
export function splitArgs(args: unknown[]): [unknown, (response: Ack) => void] {
  const last = args[args.length - 1];
  if (typeof last === 'function') {
    const ack = last as (response: Ack) => void;
    return [args.length > 1 ? args[0] : undefined, ack];
  }
  return [args[0], () => undefined];
}

export type Reply<T extends object> = (response: Ack<T>) => void;

/**
 * A request handler, made once per server and shared by every socket (per-socket state comes in
 * as arguments, so a connection costs one small listener per event, not a set of closures).
 */
export type Request<T extends object> = (
  socket: ChatSocket,
  context: SocketContext,
  payload: unknown,
  reply: Reply<T>,
) => Promise<void> | void;

/**
 * A Socket.IO listener for a request: parses nothing itself, counts refusals (invalid requests
 * against the address's allowance too), and answers
 * `internal` (logged) when the handler throws or rejects, so no request can crash the process or
 * go unanswered.
 */
export function handler<T extends object>(
  socket: ChatSocket,
  context: SocketContext,
  event: string,
  fn: Request<T>,
): (...args: unknown[]) => void {
  return (...args) => {
    const [payload, ack] = splitArgs(args);
    let answered = false;
    const reply: Reply<T> = (response) => {
      if (answered) return;
      answered = true;
      if (!response.ok) {
        const { code } = response.error;
        countRejection(context.metrics, code);
        if (code === 'invalid_payload' || code === 'too_long') context.invalid(socket);
      }
      ack(response);
    };
    Promise.resolve()
      .then(() => fn(socket, context, payload, reply))
      .catch((error: unknown) => {
        context.logger.error({ err: error, event, site: context.site }, 'request failed');
        reply(failure('internal'));
      });
  };
}
