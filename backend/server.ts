/**
 * The composition root: builds stores, the Hono app and Socket.IO from a `Config`, serves them on
 * one port, and returns `{ port, url, close }`. Nothing here runs on import; `main.ts` is the
 * process entry point and tests call `startServer` directly with `port: 0`.
 */
import { createAdaptorServer } from '@hono/node-server';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import { nanoid } from 'nanoid';
import { Server } from 'socket.io';
import { createApp } from './app.js';
import { loadAsset, packageRoot } from './assets.js';
import type { Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { attachRealtime, openPolicy, type ChatServer, type SitePolicy } from './realtime.js';
import type { Clock } from './rate-limit.js';
import { resolveSecret } from './secret.js';
import { openSqliteStore } from './store/sqlite.js';
import type { MessageStore } from './store/types.js';
import { createTokenSigner } from './tokens.js';

export interface RunningServer {
  /** The port actually listened on (useful with `port: 0`). */
  port: number;
  /** `http://<host>:<port>`, for clients on this machine. */
  url: string;
  /** Stops accepting, disconnects every client, flushes storage. Safe to call twice. */
  close(): Promise<void>;
}

/** Overridable collaborators; tests hold the clock or the ids, production takes the defaults. */
export interface ServerDeps {
  clock?: Clock;
  newId?: () => string;
  logger?: Logger;
  policy?: SitePolicy;
  store?: MessageStore;
}

export async function startServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const secret = resolveSecret(config.secret, config.dataDir);
  const store =
    deps.store ??
    openSqliteStore({
      file: join(config.dataDir, 'history.sqlite'),
      retention: config.historyRetention,
    });
  const policy = deps.policy ?? openPolicy(config.sites);
  const metrics = createMetrics();

  const root = packageRoot();
  const assets = {
    '/widget.js': loadAsset(join(root, 'dist', 'widget.js'), 'text/javascript; charset=utf-8'),
    '/widget.esm.js': loadAsset(
      join(root, 'dist', 'widget.esm.js'),
      'text/javascript; charset=utf-8',
    ),
  };
  if (!assets['/widget.js'])
    logger.warn('dist/widget.js is missing; run `npm run build` to serve the widget');

  let realtimeCount: (site: string, room: string) => number = () => 0;
  const app = createApp({
    count: (site, room) => realtimeCount(site, room),
    serves: policy.serves,
    assets,
    demoDir: config.demo ? join(root, 'demo') : undefined,
    metrics: config.metrics ? metrics : undefined,
    logger,
  });

  const http = createAdaptorServer({ fetch: app.fetch }) as HttpServer;
  const io: ChatServer = new Server(http, {
    // Pages on any origin embed the widget; there are no cookies, so no credentials either.
    cors: { origin: '*', credentials: false },
    cleanupEmptyChildNamespaces: true,
    // The largest valid request is a 2,000-character message (8 KB of UTF-8); leave room, refuse more.
    maxHttpBufferSize: Math.max(16_384, config.maxTextLength * 4 + 4096),
    serveClient: false,
    connectTimeout: 10_000,
  });
  const realtime = attachRealtime(io, {
    config,
    store,
    tokens: createTokenSigner(secret),
    policy,
    clock: deps.clock ?? Date.now,
    newId: deps.newId ?? nanoid,
    logger,
    metrics,
  });
  realtimeCount = realtime.count;

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const host =
    config.host && config.host !== '0.0.0.0' && config.host !== '::' ? config.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ port, host: config.host ?? '*', dataDir: config.dataDir }, 'listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info('shutting down');
      realtime.close();
      // Closing the engine closes every transport: clients see "transport close" and reconnect
      // (to another process behind the load balancer), rather than being told to go away for good.
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
        http.closeAllConnections();
      });
      await store.close();
      logger.info('stopped');
    })();
    return closing;
  };

  return { port, url, close };
}
