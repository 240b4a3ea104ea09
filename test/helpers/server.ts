/**
 * Starts a real pagechat backend on port 0 for a test, with a fresh temporary data folder and
 * silent logs, and registers it for `cleanup()`.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig, type Config } from '../../backend/config.js';
import { startServer, type RunningServer, type ServerDeps } from '../../backend/server.js';
import { track } from './cleanup.js';

export interface TestServer extends RunningServer {
  config: Config;
  dataDir: string;
}

/** The operator token every test server accepts (`PAGECHAT_ADMIN_TOKEN`). */
export const OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef';

/**
 * Limits that let one test visitor send hundreds of messages in a row: the visitor's, its address's
 * and the room's, for tests about what many messages do (history, export), not about the limits.
 */
export const MANY_MESSAGES: Partial<Config> = {
  messageRate: { burst: 500, perSecond: 500 },
  addressMessageRate: { burst: 500, perSecond: 500 },
  roomMessageRate: { burst: 500, perSecond: 500 },
};

/** A new empty folder under the system's temporary folder, removed by `cleanup()`. */
export async function makeTempDir(prefix = 'pagechat-test-'): Promise<string> {
  return track.dir(await mkdtemp(join(tmpdir(), prefix)));
}

/**
 * A running server on 127.0.0.1 and a free port, accepting `OPERATOR_TOKEN`. `overrides.dataDir`
 * reuses a folder (to test a restart); otherwise each server gets its own. `deps` are the backend's
 * own seams (clock, ids, a storage wrapper) for the few rules no client can trigger alone.
 */
export async function startTestServer(
  overrides: Partial<Config> = {},
  deps: ServerDeps = {},
): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? (await makeTempDir());
  const config = defineConfig({
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    adminToken: OPERATOR_TOKEN,
    ...overrides,
    dataDir,
  });
  const server = track.server(await startServer(config, deps));
  return {
    port: server.port,
    url: server.url,
    metricsPort: server.metricsPort,
    close: () => server.close(),
    config,
    dataDir,
  };
}
