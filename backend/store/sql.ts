/**
 * The `Storage` interfaces on one Kysely database, written once for SQLite and PostgreSQL.
 *
 * Messages use group commit: appends requested in one turn of the event loop are written in one
 * transaction, committed before any of them resolves. A commit per message writes every page it
 * touches to the log again; a commit per batch shares those pages, which is what keeps the history
 * benchmark's throughput. Retention keeps the newest `retention` messages per room, pruned in
 * small batches so the hot path stays one indexed INSERT. Nonces live in their own table for
 * `NONCE_TTL_MS`, so a retry after retention pruned (or a moderator deleted) its message is still
 * answered with the original instead of storing it again.
 *
 * Page cursors are the `seq` of the last row of a page, as a decimal string; a message or audit id
 * is accepted as a cursor too, for callers that kept one.
 */
import type { CompiledQuery, Transaction } from 'kysely';
import type { AuditEntry, SiteSettings } from '../admin-protocol.js';
import type { Message } from '../protocol.js';
import type { Database, Db } from './schema.js';
import {
  publicSite,
  type AppendResult,
  type AuditStore,
  type BanRecord,
  type BanStore,
  type ChangeFeed,
  type ChangeKind,
  type MessageStore,
  type Page,
  type SiteRecord,
  type SiteStore,
  type Storage,
  type VisitorStore,
} from './types.js';

/** Prune a room after this many inserts into it; it may briefly hold that many over `retention`. */
const PRUNE_EVERY = 50;
/** Forget per-room insert counters beyond this many rooms, so the map stays bounded. */
const MAX_TRACKED_ROOMS = 10_000;
/** How long a nonce answers retries with its original message, whatever happened to the message. */
export const NONCE_TTL_MS = 24 * 60 * 60 * 1000;
/** Expired nonces are deleted at most this often (by message time), in the append transaction. */
const NONCE_PRUNE_EVERY_MS = 10 * 60 * 1000;
/** Rows read per query while streaming an export. */
const STREAM_BATCH = 500;

interface MessageRow {
  seq: number;
  id: string;
  room: string;
  visitor_id: string;
  visitor_name: string;
  text: string;
  ts: number;
}

const MESSAGE_COLUMNS = ['seq', 'id', 'room', 'visitor_id', 'visitor_name', 'text', 'ts'] as const;

function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    room: row.room,
    visitor: { id: row.visitor_id, name: row.visitor_name },
    text: row.text,
    ts: Number(row.ts),
  };
}

export interface SqlStorageOptions {
  /** Messages kept per room. */
  retention: number;
  /** Called once when closing, after the last write and before the connection closes. */
  beforeClose?: () => Promise<void> | void;
}

export function createSqlStorage(db: Db, options: SqlStorageOptions): Storage {
  const messages = createMessageStore(db, options.retention);
  let closed = false;
  return {
    messages: messages.store,
    sites: createSiteStore(db),
    bans: createBanStore(db),
    audit: createAuditStore(db),
    visitors: createVisitorStore(db),
    changes: createChangeFeed(db),
    async close() {
      if (closed) return;
      closed = true;
      await messages.drain();
      await options.beforeClose?.();
      await db.destroy();
    },
  };
}

/** Resolves a page cursor (a `seq`, or an id of the table) to a `seq`; undefined when unknown. */
async function cursorSeq(
  db: Db,
  table: 'messages' | 'audit',
  site: string,
  before: string | undefined,
): Promise<number | undefined | null> {
  if (before === undefined) return undefined;
  if (/^\d{1,15}$/.test(before)) return Number(before);
  const row = await db
    .selectFrom(table)
    .select('seq')
    .where('site', '=', site)
    .where('id', '=', before)
    .executeTakeFirst();
  return row ? Number(row.seq) : null;
}

/** A value standing for parameter `name` while a query is compiled once as a template. */
const param = (name: string) => `\u0000param:${name}`;

/**
 * A query compiled once, run many times with new parameters: the hot queries of the message path
 * skip Kysely's building and compiling (more than the SQLite insert itself costs) while the SQL
 * stays Kysely's, for either dialect. Parameters are found by the sentinels `param()` put in.
 */
function template<R>(
  compiled: CompiledQuery<R>,
): (values: Record<string, unknown>) => CompiledQuery<R> {
  const slots = compiled.parameters.map((value) =>
    typeof value === 'string' && value.startsWith('\u0000param:') ? value.slice(7) : undefined,
  );
  return (values) => ({
    ...compiled,
    parameters: compiled.parameters.map((value, i) => {
      const name = slots[i];
      return name === undefined ? value : values[name];
    }),
  });
}

function createMessageStore(
  db: Db,
  retention: number,
): { store: MessageStore; drain: () => Promise<void> } {
  const insertsSincePrune = new Map<string, number>();
  // The hot path's queries, compiled once (see `template`).
  const insertQuery = template(
    db
      .insertInto('messages')
      .values({
        id: param('id'),
        site: param('site'),
        room: param('room'),
        visitor_id: param('visitorId'),
        visitor_name: param('visitorName'),
        text: param('text'),
        ts: param('ts') as unknown as number,
        nonce: null,
      })
      .compile(),
  );
  const nonceQuery = template(
    db
      .insertInto('nonces')
      .values({
        site: param('site'),
        visitor_id: param('visitorId'),
        nonce: param('nonce'),
        message_id: param('id'),
        room: param('room'),
        visitor_name: param('visitorName'),
        text: param('text'),
        ts: param('ts') as unknown as number,
      })
      .onConflict((oc) => oc.columns(['site', 'visitor_id', 'nonce']).doNothing())
      .compile(),
  );
  const byNonceQuery = template(
    db
      .selectFrom('nonces')
      .select(['message_id as id', 'room', 'visitor_id', 'visitor_name', 'text', 'ts'])
      .where('site', '=', param('site'))
      .where('visitor_id', '=', param('visitorId'))
      .where('nonce', '=', param('nonce'))
      .compile(),
  );
  let noncesPrunedAt = Number.NEGATIVE_INFINITY;
  const pruneNoncesIfDue = async (trx: Transaction<Database>, now: number) => {
    if (now - noncesPrunedAt < NONCE_PRUNE_EVERY_MS) return;
    noncesPrunedAt = now;
    await trx
      .deleteFrom('nonces')
      .where('ts', '<', now - NONCE_TTL_MS)
      .execute();
  };
  const recentQuery = template(
    db
      .selectFrom('messages')
      .select(MESSAGE_COLUMNS)
      .where('site', '=', param('site'))
      .where('room', '=', param('room'))
      .orderBy('seq', 'desc')
      .limit(param('limit') as unknown as number)
      .compile(),
  );

  const pruneIfDue = async (trx: Transaction<Database>, site: string, room: string) => {
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
    await trx
      .deleteFrom('messages')
      .where('site', '=', site)
      .where('room', '=', room)
      .where('seq', '<', (eb) =>
        eb
          .selectFrom('messages')
          .select('seq')
          .where('site', '=', site)
          .where('room', '=', room)
          .orderBy('seq', 'desc')
          .limit(1)
          .offset(retention - 1),
      )
      .execute();
  };

  const findByNonce = async (
    q: Db | Transaction<Database>,
    site: string,
    visitorId: string,
    nonce: string,
  ) => {
    const { rows } = await q.executeQuery(byNonceQuery({ site, visitorId, nonce }));
    return rows[0] && toMessage({ seq: 0, ...rows[0] });
  };

  const appendIn = async (trx: Transaction<Database>, p: PendingAppend): Promise<AppendResult> => {
    const { site, message, nonce } = p;
    const values = {
      id: message.id,
      site,
      room: message.room,
      visitorId: message.visitor.id,
      visitorName: message.visitor.name,
      text: message.text,
      ts: message.ts,
    };
    if (nonce !== undefined) {
      const claimed = await trx.executeQuery(nonceQuery({ ...values, nonce }));
      if (Number(claimed.numAffectedRows ?? 1n) === 0) {
        const original = await findByNonce(trx, site, message.visitor.id, nonce);
        if (original) return { message: original, duplicate: true };
      }
    }
    await trx.executeQuery(insertQuery(values));
    await pruneIfDue(trx, site, message.room);
    await pruneNoncesIfDue(trx, message.ts);
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
  let scheduled = false;
  let inFlight: Promise<void> = Promise.resolve();
  let closed = false;

  const flush = async (): Promise<void> => {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    let results: AppendResult[];
    try {
      results = await db.transaction().execute(async (trx) => {
        const out: AppendResult[] = [];
        for (const p of batch) out.push(await appendIn(trx, p));
        return out;
      });
    } catch (error) {
      // The whole transaction rolled back: nothing of the batch is stored, every caller may retry.
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]!));
  };
  // One batch at a time: the next one collects while the previous commits.
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      inFlight = inFlight.then(flush);
    });
  };

  const store: MessageStore = {
    append(site, message, nonce) {
      if (closed) return Promise.reject(new Error('the history store is closed'));
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ site, message, nonce, resolve, reject });
        schedule();
      });
    },
    findByNonce: (site, visitorId, nonce) => findByNonce(db, site, visitorId, nonce),
    async recent(site, room, limit) {
      const { rows } = await db.executeQuery(recentQuery({ site, room, limit }));
      return rows.reverse().map(toMessage);
    },
    async page(site, { room, before, limit }) {
      const beforeSeq = await cursorSeq(db, 'messages', site, before);
      if (beforeSeq === null) return { items: [], next: null };
      let query = db
        .selectFrom('messages')
        .select(MESSAGE_COLUMNS)
        .where('site', '=', site)
        .orderBy('seq', 'desc')
        .limit(limit + 1);
      if (room !== undefined) query = query.where('room', '=', room);
      if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
      const rows = await query.execute();
      return pageOf(
        rows.map((r) => ({ seq: r.seq, item: toMessage(r) })),
        limit,
      );
    },
    async get(site, id) {
      const row = await db
        .selectFrom('messages')
        .select(MESSAGE_COLUMNS)
        .where('site', '=', site)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toMessage(row);
    },
    async delete(site, id) {
      const row = await db
        .deleteFrom('messages')
        .where('site', '=', site)
        .where('id', '=', id)
        .returning(MESSAGE_COLUMNS)
        .executeTakeFirst();
      return row && toMessage(row);
    },
    async deleteByVisitor(site, visitorId) {
      return db
        .deleteFrom('messages')
        .where('site', '=', site)
        .where('visitor_id', '=', visitorId)
        .returning(['id', 'room'])
        .execute();
    },
    async *stream(site, room) {
      let after = 0;
      for (;;) {
        let query = db
          .selectFrom('messages')
          .select(MESSAGE_COLUMNS)
          .where('site', '=', site)
          .where('seq', '>', after)
          .orderBy('seq', 'asc')
          .limit(STREAM_BATCH);
        if (room !== undefined) query = query.where('room', '=', room);
        const rows = await query.execute();
        for (const row of rows) yield toMessage(row);
        if (rows.length < STREAM_BATCH) return;
        after = Number(rows[rows.length - 1]!.seq);
      }
    },
  };

  return {
    store,
    async drain() {
      closed = true;
      await inFlight;
      await flush();
    },
  };
}

function pageOf<T>(rows: { seq: number; item: T }[], limit: number): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map((r) => r.item), next: more && last ? String(last.seq) : null };
}

function parseSettings(json: string): SiteSettings {
  return JSON.parse(json) as SiteSettings;
}

function createSiteStore(db: Db): SiteStore {
  const toRecord = (row: {
    site: string;
    created_at: number;
    settings: string;
    key_hash: string | null;
  }): SiteRecord => ({
    site: row.site,
    createdAt: Number(row.created_at),
    settings: parseSettings(row.settings),
    keyHash: row.key_hash,
  });

  return {
    async get(site) {
      const row = await db
        .selectFrom('sites')
        .selectAll()
        .where('site', '=', site)
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async list() {
      const rows = await db.selectFrom('sites').selectAll().orderBy('site').execute();
      return rows.map((row) => publicSite(toRecord(row)));
    },
    async create(record) {
      const result = await db
        .insertInto('sites')
        .values({
          site: record.site,
          created_at: record.createdAt,
          settings: JSON.stringify(record.settings),
          key_hash: record.keyHash,
        })
        .onConflict((oc) => oc.column('site').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async updateSettings(site, settings) {
      const result = await db
        .updateTable('sites')
        .set({ settings: JSON.stringify(settings) })
        .where('site', '=', site)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async setKeyHash(site, keyHash) {
      const result = await db
        .updateTable('sites')
        .set({ key_hash: keyHash })
        .where('site', '=', site)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async siteForKeyHash(keyHash) {
      const row = await db
        .selectFrom('sites')
        .select('site')
        .where('key_hash', '=', keyHash)
        .executeTakeFirst();
      return row?.site;
    },
    async delete(site) {
      return db.transaction().execute(async (trx) => {
        const result = await trx.deleteFrom('sites').where('site', '=', site).executeTakeFirst();
        for (const table of [
          'messages',
          'nonces',
          'bans',
          'room_states',
          'audit',
          'visitors',
        ] as const) {
          await trx.deleteFrom(table).where('site', '=', site).execute();
        }
        return Number(result.numDeletedRows) > 0;
      });
    },
    async readOnlyRooms(site) {
      const rows = await db
        .selectFrom('room_states')
        .select('room')
        .where('site', '=', site)
        .where('read_only', '=', 1)
        .execute();
      return rows.map((r) => r.room);
    },
    async setRoomReadOnly(site, room, readOnly, at) {
      if (!readOnly) {
        await db
          .deleteFrom('room_states')
          .where('site', '=', site)
          .where('room', '=', room)
          .execute();
        return;
      }
      await db
        .insertInto('room_states')
        .values({ site, room, read_only: 1, updated_at: at })
        .onConflict((oc) =>
          oc.columns(['site', 'room']).doUpdateSet({ read_only: 1, updated_at: at }),
        )
        .execute();
    },
  };
}

function createBanStore(db: Db): BanStore {
  return {
    async create(ban) {
      await db
        .insertInto('bans')
        .values({
          id: ban.id,
          site: ban.site,
          visitor_id: ban.visitorId,
          by_address: ban.byAddress ? 1 : 0,
          address_hash: ban.addressHash,
          reason: ban.reason,
          created_at: ban.createdAt,
          expires_at: ban.expiresAt,
        })
        .execute();
    },
    async active(site, now) {
      const rows = await db
        .selectFrom('bans')
        .selectAll()
        .where('site', '=', site)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        site: row.site,
        visitorId: row.visitor_id,
        byAddress: row.by_address === 1,
        addressHash: row.address_hash,
        reason: row.reason,
        createdAt: Number(row.created_at),
        expiresAt: row.expires_at === null ? null : Number(row.expires_at),
      }));
    },
    async delete(site, id) {
      const result = await db
        .deleteFrom('bans')
        .where('site', '=', site)
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  } satisfies BanStore & { create(ban: BanRecord): Promise<void> };
}

function createAuditStore(db: Db): AuditStore {
  return {
    async append(site, entry) {
      await db
        .insertInto('audit')
        .values({
          id: entry.id,
          site,
          at: entry.at,
          actor: entry.actor,
          action: entry.action,
          target: entry.target,
          detail: JSON.stringify(entry.detail),
        })
        .execute();
    },
    async page(site, { before, limit }) {
      const beforeSeq = await cursorSeq(db, 'audit', site, before);
      if (beforeSeq === null) return { items: [], next: null };
      let query = db
        .selectFrom('audit')
        .selectAll()
        .where('site', '=', site)
        .orderBy('seq', 'desc')
        .limit(limit + 1);
      if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
      const rows = await query.execute();
      return pageOf(
        rows.map((row) => ({
          seq: Number(row.seq),
          item: {
            id: row.id,
            at: Number(row.at),
            actor: row.actor as AuditEntry['actor'],
            action: row.action,
            target: row.target,
            detail: JSON.parse(row.detail) as Record<string, unknown>,
          },
        })),
        limit,
      );
    },
  };
}

function createVisitorStore(db: Db): VisitorStore {
  return {
    async seen(entries) {
      if (entries.length === 0) return;
      await db
        .insertInto('visitors')
        .values(
          entries.map((e) => ({
            site: e.site,
            visitor_id: e.visitorId,
            address_hash: e.addressHash,
            seen_at: e.at,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['site', 'visitor_id']).doUpdateSet((eb) => ({
            address_hash: eb.ref('excluded.address_hash'),
            seen_at: eb.ref('excluded.seen_at'),
          })),
        )
        .execute();
    },
    async lastAddress(site, visitorId) {
      const row = await db
        .selectFrom('visitors')
        .select('address_hash')
        .where('site', '=', site)
        .where('visitor_id', '=', visitorId)
        .executeTakeFirst();
      return row?.address_hash;
    },
  };
}

function createChangeFeed(db: Db): ChangeFeed {
  return {
    async record(site, kind, at) {
      await db.insertInto('changes').values({ site, kind, at }).execute();
    },
    async head() {
      const row = await db
        .selectFrom('changes')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .executeTakeFirst();
      return Number(row?.seq ?? 0);
    },
    async since(seq, limit) {
      const rows = await db
        .selectFrom('changes')
        .select(['seq', 'site', 'kind'])
        .where('seq', '>', seq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ seq: Number(r.seq), site: r.site, kind: r.kind as ChangeKind }));
    },
    async prune(before) {
      await db.deleteFrom('changes').where('at', '<', before).execute();
    },
  };
}
