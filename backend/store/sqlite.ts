/**
 * The embedded default: every durable thing (history, sites, keys, bans, audit) in one SQLite file
 * (better-sqlite3) in the data folder, through the same Kysely queries PostgreSQL will use.
 *
 * WAL mode with `synchronous = NORMAL`: a committed message survives a crash of the process (the
 * WAL is written before `append` resolves), and only an operating-system crash or power loss can
 * lose the last transactions. `busy_timeout` lets the CLI write to the file while the server runs.
 */
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrate, type Database as Schema } from './schema.js';
import { createSqlStorage } from './sql.js';
import type { Storage } from './types.js';

export interface SqliteStorageOptions {
  /** Path of the database file, or ':memory:'. */
  file: string;
  /** Messages kept per room. */
  retention: number;
}

export async function openSqliteStorage({
  file,
  retention,
}: SqliteStorageOptions): Promise<Storage> {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: cachedStatements(sqlite) }),
  });
  try {
    await migrate(db, 'sqlite');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return createSqlStorage(db, {
    retention,
    // Fold the WAL back so the folder holds one file at rest.
    beforeClose: () => void sqlite.pragma('wal_checkpoint(TRUNCATE)'),
  });
}

/** Statements kept at most; the queries are a fixed set, so this is never reached in practice. */
const MAX_STATEMENTS = 500;

/**
 * The database as Kysely sees it, with each SQL text prepared once: Kysely asks for a new prepared
 * statement on every query, and preparing (parsing and planning the SQL) costs more than running
 * an indexed INSERT. Statements are reused one at a time, since Kysely runs one query at a time on
 * its single SQLite connection.
 */
function cachedStatements(sqlite: Database.Database): {
  prepare(sql: string): Database.Statement;
  close(): void;
} {
  const statements = new Map<string, Database.Statement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= MAX_STATEMENTS) statements.clear();
        statement = sqlite.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    close: () => sqlite.close(),
  };
}
