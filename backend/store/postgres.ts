/**
 * Durable storage on PostgreSQL (`DATABASE_URL`), for several processes sharing one database:
 * the same Kysely queries as the SQLite default, over a connection pool. Migrations run under
 * Kysely's migration lock, so processes starting together run each one once.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrate, type Database as Schema } from './schema.js';
import { createSqlStorage } from './sql.js';
import type { Storage } from './types.js';

// int8 (BIGINT, and COUNT/MAX results) as a JS number: every bigint here is a millisecond
// timestamp or a row sequence, far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /** Messages kept per room. */
  retention: number;
  /** Connections in the pool. @default 10 */
  poolSize?: number;
}

export async function openPostgresStorage({
  url,
  retention,
  poolSize = 10,
}: PostgresStorageOptions): Promise<Storage> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // A broken idle connection must not crash the process; the next query gets a fresh one.
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrate(db, 'postgres');
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return createSqlStorage(db, { retention });
}
