/**
 * Storage interfaces. The realtime layer, the API and the CLI talk only to these; which
 * implementation they get (SQLite in the data folder today, PostgreSQL for many processes) is
 * chosen once at start-up from the configuration.
 */
import type { Actor, AuditEntry, Ban, Site, SiteSettings } from '../admin-protocol.js';
import type { Message } from '../protocol.js';

export interface AppendResult {
  /** The stored message: the new one, or the original when the nonce was seen before. */
  message: Message;
  /** True when the nonce matched an earlier message and nothing new was stored. */
  duplicate: boolean;
}

export interface Page<T> {
  items: T[];
  /** Cursor for the next (older) page, or null when this was the last. */
  next: string | null;
}

export interface MessageStore {
  /**
   * Stores `message` durably before resolving. With a `nonce` already used by the same visitor on
   * the same site, stores nothing and resolves with the original message.
   */
  append(site: string, message: Message, nonce?: string): Promise<AppendResult>;
  /** The message a visitor sent earlier with `nonce`, for `NONCE_TTL_MS` (24 h) after it was sent, even once pruned or deleted. */
  findByNonce(site: string, visitorId: string, nonce: string): Promise<Message | undefined>;
  /** The newest `limit` messages of a room, oldest first. */
  recent(site: string, room: string, limit: number): Promise<Message[]>;
  /** Newest first, `limit` at most, older than the message `before` when given. */
  page(
    site: string,
    query: { room?: string; before?: string; limit: number },
  ): Promise<Page<Message>>;
  get(site: string, id: string): Promise<Message | undefined>;
  /** Deletes one message; resolves with it, or undefined when there was none. */
  delete(site: string, id: string): Promise<Message | undefined>;
  /** Deletes every message of a visitor on a site; resolves with what was deleted (id and room). */
  deleteByVisitor(site: string, visitorId: string): Promise<{ id: string; room: string }[]>;
  /** Every kept message of a site (or one room), oldest first, read in batches. */
  stream(site: string, room?: string): AsyncIterable<Message>;
}

export interface SiteRecord extends Site {
  keyHash: string | null;
}

/** The site as owners see it: everything but the key hash. */
export function publicSite(record: SiteRecord): Site {
  return { site: record.site, createdAt: record.createdAt, settings: record.settings };
}

export interface SiteStore {
  get(site: string): Promise<SiteRecord | undefined>;
  list(): Promise<Site[]>;
  /** Creates a claimed site; false when the name is already claimed. */
  create(record: SiteRecord): Promise<boolean>;
  /** Replaces the settings; false when the site does not exist. */
  updateSettings(site: string, settings: SiteSettings): Promise<boolean>;
  setKeyHash(site: string, keyHash: string): Promise<boolean>;
  /** The site whose current key hashes to `keyHash`, if any. */
  siteForKeyHash(keyHash: string): Promise<string | undefined>;
  /** Deletes the site and everything kept for it (history, bans, rooms, audit, visitors). */
  delete(site: string): Promise<boolean>;
  /** Rooms paused by a moderator. */
  readOnlyRooms(site: string): Promise<string[]>;
  setRoomReadOnly(site: string, room: string, readOnly: boolean, at: number): Promise<void>;
}

export interface BanRecord extends Ban {
  site: string;
  addressHash: string | null;
}

export interface BanStore {
  create(ban: BanRecord): Promise<void>;
  /** Bans of a site that have not expired at `now`, newest first. */
  active(site: string, now: number): Promise<BanRecord[]>;
  /** Lifts a ban; false when there was none. */
  delete(site: string, id: string): Promise<boolean>;
}

export interface AuditStore {
  append(site: string, entry: AuditEntry): Promise<void>;
  page(site: string, query: { before?: string; limit: number }): Promise<Page<AuditEntry>>;
}

export interface VisitorStore {
  /** Records the address (keyed hash) visitors were last seen with, in one write. */
  seen(
    entries: { site: string; visitorId: string; addressHash: string; at: number }[],
  ): Promise<void>;
  lastAddress(site: string, visitorId: string): Promise<string | undefined>;
}

/** What changed, for caches in other processes (and the CLI's changes, for the server). */
export type ChangeKind = 'site' | 'deleted' | 'key' | 'bans' | 'rooms';

export interface Change {
  seq: number;
  site: string;
  kind: ChangeKind;
}

export interface ChangeFeed {
  record(site: string, kind: ChangeKind, at: number): Promise<void>;
  /** The newest sequence number, to start following from. */
  head(): Promise<number>;
  /** Changes after `seq`, oldest first. */
  since(seq: number, limit: number): Promise<Change[]>;
  /** Forgets changes older than `before` (ms since epoch). */
  prune(before: number): Promise<void>;
}

export interface Storage {
  messages: MessageStore;
  sites: SiteStore;
  bans: BanStore;
  audit: AuditStore;
  visitors: VisitorStore;
  changes: ChangeFeed;
  close(): Promise<void>;
}

export type { Actor };
