/**
 * Chooses the durable storage once, from the configuration: PostgreSQL when `DATABASE_URL` is set,
 * else the SQLite file in the data folder. The server and the CLI both open storage here, so they
 * always agree on where it is.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { openPostgresStorage } from './postgres.js';
import { openSqliteStorage } from './sqlite.js';
import type { Storage } from './types.js';

/** The SQLite file inside `PAGECHAT_DATA_DIR` (named for its first content, kept for upgrades). */
export const SQLITE_FILE = 'history.sqlite';

export async function openStorage(
  config: Pick<Config, 'dataDir' | 'historyRetention'> & Partial<Pick<Config, 'databaseUrl'>>,
): Promise<Storage> {
  if (config.databaseUrl) {
    return openPostgresStorage({ url: config.databaseUrl, retention: config.historyRetention });
  }
  mkdirSync(config.dataDir, { recursive: true });
  return openSqliteStorage({
    file: join(config.dataDir, SQLITE_FILE),
    retention: config.historyRetention,
  });
}
