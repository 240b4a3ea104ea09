/**
 * Throwaway PostgreSQL databases on the machine's server (`PAGECHAT_TEST_DATABASE_URL`, default
 * `postgres://postgres@127.0.0.1:5432/postgres`): each test run creates its own and drops it after.
 *
 * PostgreSQL unreachable: the suites that need it skip with a loud warning locally, and fail when
 * `CI` is set (`.ci/run` starts the server).
 */
import { nanoid } from 'nanoid';
import pg from 'pg';

export const adminUrl =
  process.env['PAGECHAT_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const problem = await probe();
export const havePostgres = problem === undefined;
if (problem !== undefined) {
  const reason = `PostgreSQL is not reachable at ${adminUrl.replace(/:[^:@/]*@/, ':***@')} (${problem}): the PostgreSQL suites cannot run.`;
  if (process.env['CI']) throw new Error(reason);
  console.warn(`\n*** SKIPPING POSTGRESQL TESTS: ${reason} ***\n`);
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new empty database; returns its URL and a function that drops it. */
export async function throwawayDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `pagechat_test_${nanoid(10)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () =>
      admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
