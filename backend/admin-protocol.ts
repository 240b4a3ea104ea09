/**
 * The owner and operator contract (ADMIN-API.md) in TypeScript: the shapes the HTTP API answers,
 * its error codes, and the event map of the `/admin` live namespace.
 *
 * Like `protocol.ts` it has no dependencies and no side effects, so the dashboard can import its
 * types. docs/admin-api.md says the same in prose; the runtime schemas that check requests live in
 * `api/schemas.ts` and are checked against these types at compile time.
 */
import type { Message } from './protocol.js';

export interface SiteSettings {
  /** Pages allowed to embed the site: exact origins or `https://*.example.com`; [] allows any. */
  origins: string[];
  /** Greeting in the join ack; null uses the server's default. */
  welcome: string | null;
  /** 0 to 3,600,000: a visitor may post in a room once per interval; 0 is off. */
  slowModeMs: number;
  /** Up to 500 words of 1 to 64 characters, matched whole-word and case-insensitively. */
  blockedWords: string[];
  /** The whole site is paused: nobody may post. */
  readOnly: boolean;
}

export const DEFAULT_SITE_SETTINGS: Readonly<SiteSettings> = Object.freeze({
  origins: [],
  welcome: null,
  slowModeMs: 0,
  blockedWords: [],
  readOnly: false,
});

/** Bounds of the settings, shared by the API's schemas and the docs. */
export const SETTINGS_LIMITS = {
  originsMax: 100,
  welcomeMax: 500,
  slowModeMaxMs: 3_600_000,
  blockedWordsMax: 500,
  blockedWordMax: 64,
  reasonMax: 500,
} as const;

export interface Site {
  site: string;
  createdAt: number;
  settings: SiteSettings;
}

export interface Ban {
  id: string;
  visitorId: string;
  byAddress: boolean;
  reason: string | null;
  createdAt: number;
  expiresAt: number | null;
}

export type Actor = 'operator' | 'owner';

export interface AuditEntry {
  id: string;
  at: number;
  actor: Actor;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
}

export interface LiveRoom {
  room: string;
  count: number;
  readOnly: boolean;
}

export interface RoomsPayload {
  /** Distinct visitors on the whole site. */
  visitors: number;
  rooms: LiveRoom[];
}

export interface MessagesPage {
  messages: Message[];
  next: string | null;
}

export interface AuditPage {
  entries: AuditEntry[];
  next: string | null;
}

/** Every error code of the HTTP API. */
export type ApiErrorCode =
  | 'invalid_payload'
  | 'invalid_site'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'site_taken'
  | 'rate_limited'
  | 'internal';

export const API_STATUS = {
  invalid_payload: 400,
  invalid_site: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  site_taken: 409,
  rate_limited: 429,
  internal: 500,
} as const satisfies Record<ApiErrorCode, number>;

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

/** Handshake `auth` of the `/admin` namespace. */
export interface AdminAuth {
  site: string;
  /** A site key, or the operator token. */
  key: string;
}

/** `data` of a refused `/admin` handshake's `connect_error`; its `message` is the code. */
export interface AdminConnectErrorData {
  code: 'unauthorized' | 'forbidden' | 'invalid_site' | 'rate_limited';
  message: string;
}

export interface AdminServerToClientEvents {
  message: (message: Message) => void;
  deleted: (payload: { room: string; id: string }) => void;
  rooms: (payload: RoomsPayload) => void;
}

export type AdminClientToServerEvents = Record<string, never>;
