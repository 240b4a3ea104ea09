/**
 * Message history in one SQLite file (better-sqlite3), the embedded default.
 *
 * WAL mode with `synchronous = NORMAL`: a committed message survives a crash of the process (the
 * WAL is written before `append` resolves), and only an operating-system crash or power loss can
 * lose the last transactions. Retention keeps the newest `retention` messages per room, pruned in
 * small batches so the hot path stays one indexed INSERT.
 *
 * Group commit: appends requested in one turn of the event loop are written in one transaction,
 * committed before any of them resolves. A commit per message writes every page it touches (table
 * and three index leaves, 4 KB each) to the WAL again and fills it, and so triggers its blocking
 * checkpoint with an fsync, every few hundred messages; a commit per batch shares those pages.
 */
import Database from 'better-sqlite3';
import type { Message } from '../protocol.js';
import type { AppendResult, MessageStore } from './types.js';

interface Row {
  id: string;
  room: string;
  visitor_id: string;
  visitor_name: string;
  text: string;
  ts: number;
}

const SCHEMA_VERSION = 1;

/** Prune a room after this many inserts into it; it may briefly hold that many over `retention`. */
const PRUNE_EVERY = 50;
/** Forget per-room insert counters beyond this many rooms, so the map stays bounded. */
const MAX_TRACKED_ROOMS = 10_000;

function toMessage(row: Row): Message {
  return {
    id: row.id,
    room: row.room,
    visitor: { id: row.visitor_id, name: row.visitor_name },
    text: row.text,
    ts: row.ts,
  };
}

export interface SqliteStoreOptions {
  /** Path of the database file, or ':memory:'. */
  file: string;
  /** Messages kept per room. */
  retention: number;
}

export function openSqliteStore({ file, retention }: SqliteStoreOptions): MessageStore {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const insert = db.prepare<
    [string, string, string, string, string, string, number, string | null]
  >(
    `INSERT INTO messages (id, site, room, visitor_id, visitor_name, text, ts, nonce)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (site, visitor_id, nonce) WHERE nonce IS NOT NULL DO NOTHING`,
  );
  const byNonce = db.prepare<[string, string, string], Row>(
    `SELECT id, room, visitor_id, visitor_name, text, ts FROM messages
     WHERE site = ? AND visitor_id = ? AND nonce = ?`,
  );
  const newest = db.prepare<[string, string, number], Row>(
    `SELECT id, room, visitor_id, visitor_name, text, ts FROM messages
     WHERE site = ? AND room = ? ORDER BY seq DESC LIMIT ?`,
  );
  const prune = db.prepare<[string, string, string, string, number]>(
    `DELETE FROM messages WHERE site = ? AND room = ? AND seq < (
       SELECT seq FROM messages WHERE site = ? AND room = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
  );

  const insertsSincePrune = new Map<string, number>();
  const notePrune = (site: string, room: string): void => {
    const key = `${site}\0${room}`;
    const n = (insertsSincePrune.get(key) ?? 0) + 1;
    if (n < PRUNE_EVERY) {
      if (insertsSincePrune.size >= MAX_TRACKED_ROOMS && !insertsSincePrune.has(key)) {
        insertsSincePrune.clear();
      }
      insertsSincePrune.set(key, n);
      return;
    }
    insertsSincePrune.delete(key);
    prune.run(site, room, site, room, retention - 1);
  };

  const appendNow = (site: string, message: Message, nonce: string | undefined): AppendResult => {
    const { changes } = insert.run(
      message.id,
      site,
      message.room,
      message.visitor.id,
      message.visitor.name,
      message.text,
      message.ts,
      nonce ?? null,
    );
    if (changes === 0 && nonce !== undefined) {
      const original = byNonce.get(site, message.visitor.id, nonce);
      if (original) return { message: toMessage(original), duplicate: true };
    }
    notePrune(site, message.room);
    return { message, duplicate: false };
  };

  interface PendingAppend {
    site: string;
    message: Message;
    nonce: string | undefined;
    resolve: (result: AppendResult) => void;
    reject: (error: unknown) => void;
  }
  let queue: PendingAppend[] = [];
  let flushTimer: ReturnType<typeof setImmediate> | undefined;
  const commitBatch = db.transaction((batch: PendingAppend[]) =>
    batch.map((p) => appendNow(p.site, p.message, p.nonce)),
  );
  const flush = (): void => {
    flushTimer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    let results: AppendResult[];
    try {
      results = commitBatch(batch);
    } catch (error) {
      // The whole transaction rolled back: nothing of the batch is stored, every caller may retry.
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
  };

  let closed = false;

  return {
    append(site, message, nonce) {
      if (closed) return Promise.reject(new Error('the history store is closed'));
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ site, message, nonce, resolve, reject });
        flushTimer ??= setImmediate(flush);
      });
    },
    async findByNonce(site, visitorId, nonce) {
      const row = byNonce.get(site, visitorId, nonce);
      return row && toMessage(row);
    },
    async recent(site, room, limit) {
      return newest.all(site, room, limit).reverse().map(toMessage);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (flushTimer !== undefined) clearImmediate(flushTimer);
      flush();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `the history database has schema version ${version}, newer than this pagechat (${SCHEMA_VERSION})`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  db.exec(`
    BEGIN;
    CREATE TABLE IF NOT EXISTS messages (
      seq          INTEGER PRIMARY KEY,
      id           TEXT NOT NULL UNIQUE,
      site         TEXT NOT NULL,
      room         TEXT NOT NULL,
      visitor_id   TEXT NOT NULL,
      visitor_name TEXT NOT NULL,
      text         TEXT NOT NULL,
      ts           INTEGER NOT NULL,
      nonce        TEXT
    );
    CREATE INDEX IF NOT EXISTS messages_by_room ON messages (site, room, seq);
    CREATE UNIQUE INDEX IF NOT EXISTS messages_by_nonce
      ON messages (site, visitor_id, nonce) WHERE nonce IS NOT NULL;
    PRAGMA user_version = ${SCHEMA_VERSION};
    COMMIT;
  `);
}
