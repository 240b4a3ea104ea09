/**
 * The pagechat wire protocol, v1, in TypeScript: event maps, payload shapes, error codes and limits.
 *
 * This module is the seam between the backend and the widget (and the contract third-party clients
 * rely on). It has no dependencies and no side effects: the backend imports it, the widget imports
 * its types and the few constants below, so no server code can reach the browser bundle.
 * docs/protocol.md describes the same contract in prose; keep the two in step.
 */

/** Version of the wire protocol described here. */
export const PROTOCOL_VERSION = 1;
/** Backwards-compatible revision of v1: 1.1 adds moderation events, `limits` and `readOnly`. */
export const PROTOCOL_REVISION = '1.1';

/** A site name: 1 to 40 characters of `a-z0-9-`, not starting or ending with `-`. */
export const SITE_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** Site names that can never carry chat. */
export const RESERVED_SITES: readonly string[] = ['admin'];

/** Fixed limits of protocol v1. The message text limit is a server default and may be configured. */
export const LIMITS = {
  /** Longest room key, in characters, after trimming. */
  roomMax: 256,
  /** Default longest message text, in characters, after trimming. */
  textMax: 2000,
  /** Longest display name, in characters, after trimming. */
  nameMax: 40,
  /** Longest client-chosen nonce. */
  nonceMax: 64,
  /** Longest visitor token a client may present. */
  tokenMax: 256,
  /** Most messages carried by a `join` ack. */
  historyMax: 50,
  /** Milliseconds within which every socket in a room holds the exact count after the last change. */
  presenceConvergeMs: 2000,
} as const;

// 1.1 text rules. One place for the rules the server enforces and clients may check before
// sending (the widget imports them), so the two can never disagree.

/** A lone UTF-16 surrogate: text, names and room keys holding one are not well-formed. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Control characters refused in message text: C0 but tab and LF, DEL, C1 (after CR is folded). */
// eslint-disable-next-line no-control-regex
const TEXT_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** Bidirectional formatting characters, refused in names (they reorder the words around them). */
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** A letter or digit that shows: the Hangul fillers are letters that draw nothing. */
const VISIBLE = /(?![\u115f\u1160\u3164\uffa0])[\p{L}\p{N}]/u;

/** 1.1: whether `s` is well-formed UTF-16 (no lone surrogate). */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** 1.1: message text with CR LF and lone CR folded into LF, as the server stores it. */
export function foldLineBreaks(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** 1.1: whether (folded) message text holds a control character other than tab and LF. */
export function hasTextControl(text: string): boolean {
  return TEXT_CONTROL.test(text);
}

/** 1.1: whether a display name holds a bidirectional control character. */
export function hasBidiControl(name: string): boolean {
  return BIDI_CONTROL.test(name);
}

/** 1.1: whether a display name contains at least one visible letter or digit. */
export function hasVisibleLetter(name: string): boolean {
  return VISIBLE.test(name);
}

/** Every error code a client can receive, from an ack or a refused connection. */
export type ErrorCode =
  | 'invalid_site'
  | 'site_not_allowed'
  | 'origin_not_allowed'
  | 'banned'
  | 'invalid_payload'
  | 'not_joined'
  | 'too_long'
  | 'rate_limited'
  | 'read_only'
  | 'text_not_allowed'
  | 'internal';

export const ERROR_CODES = [
  'invalid_site',
  'site_not_allowed',
  'origin_not_allowed',
  'banned',
  'invalid_payload',
  'not_joined',
  'too_long',
  'rate_limited',
  'read_only',
  'text_not_allowed',
  'internal',
] as const satisfies readonly ErrorCode[];

export interface ProtocolError {
  code: ErrorCode;
  message: string;
  /** Present with `rate_limited`: milliseconds until the request may succeed. */
  retryAfterMs?: number;
}

/** `data` of the `connect_error` a refused connection receives; its `message` is the code. */
export interface ConnectErrorData {
  code: ErrorCode;
  message: string;
}

export interface Visitor {
  id: string;
  name: string;
}

export interface Message {
  id: string;
  room: string;
  visitor: Visitor;
  text: string;
  /** Milliseconds since the epoch, as stored by the server. */
  ts: number;
}

export type Failure = { ok: false; error: ProtocolError };
export type Success<T extends object> = { ok: true } & T;
export type Ack<T extends object = object> = Success<T> | Failure;

/** Handshake `auth` object; every field is optional. */
export interface HandshakeAuth {
  token?: string;
  name?: string;
}

// Server to client payloads.

export interface SessionPayload {
  visitorId: string;
  /** Opaque; present it as `auth.token` on later connections to keep `visitorId`. */
  token: string;
  name: string;
}

export interface JoinedPayload {
  room: string;
  visitor: Visitor;
  count: number;
}

export type LeftPayload = JoinedPayload;

export interface PresencePayload {
  room: string;
  count: number;
}

export interface TypingPayload {
  room: string;
  visitor: Visitor;
  typing: boolean;
}

export interface RenamedPayload {
  /** The room of the socket that renamed; to the visitor's own sockets, '' when it is in none. */
  room: string;
  visitor: Visitor;
}

/** 1.1: a moderator deleted message `id`; clients remove it. */
export interface DeletedPayload {
  room: string;
  id: string;
}

/** 1.1: a moderator paused (`readOnly: true`) or reopened the room, or the whole site. */
export interface RoomStatePayload {
  room: string;
  readOnly: boolean;
}

/** 1.1: sent right before the server disconnects a socket for good; do not reconnect. */
export interface KickedPayload {
  code: 'banned';
  message: string;
}

// Client to server requests and their successful acks.

export interface JoinRequest {
  room: string;
}
/** 1.1: the server's limits as they apply to this visitor in this room. */
export interface JoinLimits {
  /** Longest message text this server takes, in characters. */
  textMax: number;
  /** The site's slow mode: at most one message per visitor and room per interval; 0 = off. */
  slowModeMs: number;
}

export interface JoinResult {
  room: string;
  count: number;
  welcome: string;
  /** Most recent messages of the room, oldest first; deleted messages are never in it. */
  history: Message[];
  /** 1.1 */
  limits: JoinLimits;
  /** 1.1: the room or the whole site is paused by a moderator. */
  readOnly: boolean;
}

export type LeaveRequest = Record<string, never>;

export interface SendRequest {
  text: string;
  nonce?: string;
}
export interface SendResult {
  message: Message;
}

export interface NameRequest {
  name: string;
}
export interface NameResult {
  visitor: Visitor;
}

export interface TypingRequest {
  typing: boolean;
}

export type AckCallback<T extends object> = (response: Ack<T>) => void;

export interface ServerToClientEvents {
  session: (payload: SessionPayload) => void;
  joined: (payload: JoinedPayload) => void;
  left: (payload: LeftPayload) => void;
  presence: (payload: PresencePayload) => void;
  message: (message: Message) => void;
  typing: (payload: TypingPayload) => void;
  renamed: (payload: RenamedPayload) => void;
  deleted: (payload: DeletedPayload) => void;
  room: (payload: RoomStatePayload) => void;
  kicked: (payload: KickedPayload) => void;
}

export interface ClientToServerEvents {
  join: (payload: JoinRequest, ack: AckCallback<JoinResult>) => void;
  leave: (payload: LeaveRequest, ack: AckCallback<object>) => void;
  'message:send': (payload: SendRequest, ack: AckCallback<SendResult>) => void;
  'name:set': (payload: NameRequest, ack: AckCallback<NameResult>) => void;
  typing: (payload: TypingRequest) => void;
}

/** `GET /api/v1/sites/:site/presence?room=KEY` answers this with 200. */
export interface PresenceResponse {
  site: string;
  room: string;
  count: number;
}

/** Body of every HTTP error answer. */
export interface HttpErrorBody {
  error: { code: ErrorCode; message: string };
}
