/**
 * The durable schema, written once for both SQL dialects with Kysely: table types for the query
 * builder and the migrations that create them.
 *
 * Portable on purpose: booleans are 0/1 integers, timestamps are integer milliseconds since the
 * epoch, settings and audit details are JSON text, and the only dialect-specific piece is the
 * auto-increment column (`seq`) that orders messages, audit entries and the change feed.
 */
import { Migrator, sql, type Generated, type Kysely, type Migration } from 'kysely';

export type Dialect = 'sqlite' | 'postgres';

export interface SitesTable {
  site: string;
  created_at: number;
  /** JSON of `SiteSettings`. */
  settings: string;
  /** SHA-256 (hex) of the current site key; the key itself is never stored. */
  key_hash: string | null;
}

export interface RoomStatesTable {
  site: string;
  room: string;
  read_only: number;
  updated_at: number;
}

export interface MessagesTable {
  seq: Generated<number>;
  id: string;
  site: string;
  room: string;
  visitor_id: string;
  visitor_name: string;
  text: string;
  ts: number;
  nonce: string | null;
}

/**
 * What a visitor's nonce answered: kept apart from messages and for a fixed time, so a retry is
 * answered with the original whether or not retention or a moderator removed the message since.
 */
export interface NoncesTable {
  site: string;
  visitor_id: string;
  nonce: string;
  message_id: string;
  room: string;
  visitor_name: string;
  text: string;
  ts: number;
}

export interface BansTable {
  id: string;
  site: string;
  visitor_id: string;
  by_address: number;
  /** Keyed hash of the client address banned with the visitor, when `by_address`. */
  address_hash: string | null;
  reason: string | null;
  created_at: number;
  expires_at: number | null;
}

export interface AuditTable {
  seq: Generated<number>;
  id: string;
  site: string;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  /** JSON object. */
  detail: string;
}

export interface VisitorsTable {
  site: string;
  visitor_id: string;
  /** Keyed hash of the address the visitor was last seen with. */
  address_hash: string;
  seen_at: number;
}

/** One row per change another process (or the CLI) must notice: sites, keys, settings, bans, rooms. */
export interface ChangesTable {
  seq: Generated<number>;
  site: string;
  kind: string;
  at: number;
}

export interface Database {
  sites: SitesTable;
  room_states: RoomStatesTable;
  messages: MessagesTable;
  nonces: NoncesTable;
  bans: BansTable;
  audit: AuditTable;
  visitors: VisitorsTable;
  changes: ChangesTable;
}

export type Db = Kysely<Database>;

/** The migrations, in order; Kysely's `Migrator` runs the missing ones under its own lock. */
export function migrations(dialect: Dialect): Record<string, Migration> {
  // An auto-incrementing integer key: SQLite's rowid alias, or a PostgreSQL identity column.
  const seq = (table: string) =>
    dialect === 'sqlite'
      ? sql.raw(`seq INTEGER PRIMARY KEY`)
      : sql.raw(`seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY /* ${table} */`);
  const bigint = dialect === 'sqlite' ? 'integer' : 'bigint';

  return {
    '0001_messages': {
      async up(db) {
        await sql`CREATE TABLE IF NOT EXISTS messages (
          ${seq('messages')},
          id TEXT NOT NULL UNIQUE,
          site TEXT NOT NULL,
          room TEXT NOT NULL,
          visitor_id TEXT NOT NULL,
          visitor_name TEXT NOT NULL,
          text TEXT NOT NULL,
          ts ${sql.raw(bigint)} NOT NULL,
          nonce TEXT
        )`.execute(db);
        await sql`CREATE INDEX IF NOT EXISTS messages_by_room ON messages (site, room, seq)`.execute(
          db,
        );
        await sql`CREATE UNIQUE INDEX IF NOT EXISTS messages_by_nonce
          ON messages (site, visitor_id, nonce) WHERE nonce IS NOT NULL`.execute(db);
      },
    },
    '0002_sites_and_moderation': {
      async up(db) {
        await db.schema
          .createTable('sites')
          .ifNotExists()
          .addColumn('site', 'text', (c) => c.primaryKey())
          .addColumn('created_at', bigint, (c) => c.notNull())
          .addColumn('settings', 'text', (c) => c.notNull())
          .addColumn('key_hash', 'text')
          .execute();
        await db.schema
          .createIndex('sites_by_key')
          .ifNotExists()
          .unique()
          .on('sites')
          .column('key_hash')
          .execute();
        await db.schema
          .createTable('room_states')
          .ifNotExists()
          .addColumn('site', 'text', (c) => c.notNull())
          .addColumn('room', 'text', (c) => c.notNull())
          .addColumn('read_only', 'integer', (c) => c.notNull())
          .addColumn('updated_at', bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('room_states_pk', ['site', 'room'])
          .execute();
        await db.schema
          .createTable('bans')
          .ifNotExists()
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('site', 'text', (c) => c.notNull())
          .addColumn('visitor_id', 'text', (c) => c.notNull())
          .addColumn('by_address', 'integer', (c) => c.notNull())
          .addColumn('address_hash', 'text')
          .addColumn('reason', 'text')
          .addColumn('created_at', bigint, (c) => c.notNull())
          .addColumn('expires_at', bigint)
          .execute();
        await db.schema
          .createIndex('bans_by_site')
          .ifNotExists()
          .on('bans')
          .columns(['site', 'created_at'])
          .execute();
        await sql`CREATE TABLE IF NOT EXISTS audit (
          ${seq('audit')},
          id TEXT NOT NULL UNIQUE,
          site TEXT NOT NULL,
          at ${sql.raw(bigint)} NOT NULL,
          actor TEXT NOT NULL,
          action TEXT NOT NULL,
          target TEXT,
          detail TEXT NOT NULL
        )`.execute(db);
        await sql`CREATE INDEX IF NOT EXISTS audit_by_site ON audit (site, seq)`.execute(db);
        await db.schema
          .createTable('visitors')
          .ifNotExists()
          .addColumn('site', 'text', (c) => c.notNull())
          .addColumn('visitor_id', 'text', (c) => c.notNull())
          .addColumn('address_hash', 'text', (c) => c.notNull())
          .addColumn('seen_at', bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('visitors_pk', ['site', 'visitor_id'])
          .execute();
        await sql`CREATE TABLE IF NOT EXISTS changes (
          ${seq('changes')},
          site TEXT NOT NULL,
          kind TEXT NOT NULL,
          at ${sql.raw(bigint)} NOT NULL
        )`.execute(db);
        await sql`CREATE INDEX IF NOT EXISTS messages_by_visitor ON messages (site, visitor_id)`.execute(
          db,
        );
        await sql`CREATE INDEX IF NOT EXISTS messages_by_site ON messages (site, seq)`.execute(db);
      },
    },
    '0003_nonces': {
      async up(db) {
        await db.schema
          .createTable('nonces')
          .ifNotExists()
          .addColumn('site', 'text', (c) => c.notNull())
          .addColumn('visitor_id', 'text', (c) => c.notNull())
          .addColumn('nonce', 'text', (c) => c.notNull())
          .addColumn('message_id', 'text', (c) => c.notNull())
          .addColumn('room', 'text', (c) => c.notNull())
          .addColumn('visitor_name', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('ts', bigint, (c) => c.notNull())
          .addPrimaryKeyConstraint('nonces_pk', ['site', 'visitor_id', 'nonce'])
          .execute();
        await db.schema
          .createIndex('nonces_by_ts')
          .ifNotExists()
          .on('nonces')
          .column('ts')
          .execute();
        // Nonces of messages stored before this table existed keep answering their retries.
        await sql`INSERT INTO nonces (site, visitor_id, nonce, message_id, room, visitor_name, text, ts)
          SELECT site, visitor_id, nonce, id, room, visitor_name, text, ts
          FROM messages WHERE nonce IS NOT NULL`.execute(db);
        await sql`DROP INDEX IF EXISTS messages_by_nonce`.execute(db);
      },
    },
  };
}

/** Runs the migrations that have not run yet; safe when several processes start together. */
export async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(
      `database migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
