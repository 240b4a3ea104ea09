/**
 * The composition root: builds storage, the shared ephemeral state, the site directory, the Hono
 * app and Socket.IO from a `Config`, serves them on one port, and returns `{ port, url, close }`.
 * Nothing here runs on import; `main.ts` is the process entry point and tests call `startServer`
 * directly with `port: 0`. A failure while starting closes whatever was already opened.
 */
import { createAdaptorServer } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Server as HttpServer } from 'node:http';
import { nanoid } from 'nanoid';
import { Server } from 'socket.io';
import { clientAddress, createAddressHasher } from './address.js';
import { createApp, createMetricsApp } from './app.js';
import { loadWidgetAssets, packageRoot } from './assets.js';
import type { Config } from './config.js';
import { createMemoryAddressCounter, createMemoryLimiters } from './ephemeral/memory.js';
import { MemoryPresence } from './ephemeral/presence.js';
import type { Clock } from './ephemeral/rate-limit.js';
import { closeUnreadBodies } from './http/unread-body.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { attachRealtime, type ChatServer } from './realtime/index.js';
import { CONNECT_TIMEOUT_MS, createTransportGuard } from './realtime/transport.js';
import { LIMITS } from './protocol.js';
import { resolveSecret } from './secret.js';
import { SiteDirectory } from './sites/directory.js';
import { SiteService } from './sites/service.js';
import { openStorage } from './store/index.js';
import type { Storage } from './store/types.js';
import { createTokenSigner } from './tokens.js';

export interface RunningServer {
  /** The port actually listened on (useful with `port: 0`). */
  port: number;
  /** `http://<host>:<port>`, for clients on this machine. */
  url: string;
  /** The port of the metrics listener, when `metricsPort` is set. */
  metricsPort: number | undefined;
  /** Stops accepting, disconnects every client, flushes storage. Safe to call twice. */
  close(): Promise<void>;
}

/** Overridable collaborators; tests hold the clock, the ids or wrap the storage. */
export interface ServerDeps {
  clock?: Clock;
  newId?: () => string;
  logger?: Logger;
  /** Wraps the opened storage (tests inject failures into it). */
  wrapStorage?: (storage: Storage) => Storage;
  /** The built widget's folder; the package's `dist/` by default (tests serve other builds). */
  distDir?: string;
}

/**
 * The largest frame a valid request can need. A client may escape every character as JSON `\uXXXX`
 * (Python's json does by default): 12 bytes for a character outside the BMP. So the longest text,
 * or room key, escaped, plus an escaped nonce and the packet around them, must always fit.
 */
export function maxFrameBytes(maxTextLength: number): number {
  const escaped = 12;
  return escaped * (Math.max(maxTextLength, LIMITS.roomMax) + LIMITS.nonceMax) + 4096;
}

export async function startServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const clock = deps.clock ?? Date.now;
  const newId = deps.newId ?? nanoid;
  // Everything opened so far, closed in reverse order if a later step fails.
  const opened: (() => Promise<void> | void)[] = [];
  const closeOpened = async () => {
    for (const close of opened.reverse()) await close();
  };

  try {
    const opening = await openStorage(config);
    opened.push(() => opening.close());
    const storage = deps.wrapStorage ? deps.wrapStorage(opening) : opening;
    const secret = resolveSecret(config.secret, config.dataDir);
    const hashAddress = createAddressHasher(secret);
    const metrics = createMetrics();
    const limiters = createMemoryLimiters(clock);
    opened.push(() => limiters.close());
    const directory = new SiteDirectory({
      storage,
      openSites: config.openSites,
      sites: config.sites,
      clock,
      logger,
      pollMs: config.changePollMs,
    });
    await directory.start();
    opened.push(() => directory.close());

    const authFailures = limiters.limiter('auth-failure', config.authFailureRate);
    const service = new SiteService({
      storage,
      clock,
      newId,
      operatorToken: config.adminToken,
      directory,
    });

    const root = packageRoot();
    const assets = loadWidgetAssets(deps.distDir ?? join(root, 'dist'));
    if (!assets['/widget.js'])
      logger.warn('dist/widget.js is missing; run `npm run build` to serve the widget');

    const http = createAdaptorServer({
      fetch: (request, env) => app.fetch(request, env),
    }) as HttpServer;
    const addresses = createMemoryAddressCounter();
    const guard = createTransportGuard({
      config,
      addresses,
      hashAddress,
      handshakes: limiters.limiter('handshake', config.handshakeRate),
      clock,
      logger,
      metrics,
    });
    const io: ChatServer = new Server(http, {
      // Pages on any origin embed the widget; there are no cookies, so no credentials either.
      cors: { origin: '*', credentials: false },
      cleanupEmptyChildNamespaces: true,
      maxHttpBufferSize: maxFrameBytes(config.maxTextLength),
      serveClient: false,
      // A backstop: the guard closes a session that reaches no site sooner, discarding its buffers,
      // where Socket.IO's polite close would leave a polling session open 30 s more.
      connectTimeout: CONNECT_TIMEOUT_MS + 1000,
      allowRequest: (req, callback) => guard.allowRequest(req, callback),
    });
    guard.attach(io);
    opened.push(() => guard.close());
    // After Socket.IO attached (it moves the listeners it finds behind its own), so this runs first.
    http.prependListener('request', closeUnreadBodies);
    opened.push(() => new Promise<void>((resolve) => void io.close(() => resolve())));

    const realtime = attachRealtime(io, {
      config,
      storage,
      directory,
      presence: new MemoryPresence(),
      limiters,
      addresses,
      guard,
      hashAddress,
      tokens: createTokenSigner(secret),
      clock,
      newId,
      logger,
      metrics,
      authFailures,
      authenticate: (credential) => service.authenticate(credential),
    });
    opened.push(() => realtime.close());
    service.attach({
      effects: realtime.moderation,
      lastAddress: (site, visitorId) => realtime.lastAddress(site, visitorId),
    });

    const app = createApp({
      api: {
        service,
        rooms: realtime.rooms,
        serves: async (site) => (await directory.load(site)).served,
        count: realtime.count,
        signup: config.signup,
        addressOf: (c) =>
          hashAddress(
            clientAddress(
              c.env?.incoming?.socket?.remoteAddress,
              c.req.header('x-forwarded-for'),
              config.trustProxy,
            ),
          ),
        limiters: {
          authFailure: authFailures,
          claim: limiters.limiter('claim', config.claimRate),
        },
        logger,
      },
      assets,
      demoDir: config.demo ? join(root, 'demo') : undefined,
      metrics: config.metrics ? metrics : undefined,
      operatorToken: config.adminToken,
      logger,
    });

    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, config.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const { port } = http.address() as AddressInfo;
    let metricsPort: number | undefined;
    if (config.metrics && config.metricsPort !== undefined) {
      const scrape = createMetricsApp(metrics);
      const listener = createAdaptorServer({ fetch: scrape.fetch }) as HttpServer;
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(config.metricsPort, config.metricsHost, () => resolve());
      });
      opened.push(() => new Promise<void>((resolve) => listener.close(() => resolve())));
      metricsPort = (listener.address() as AddressInfo).port;
      logger.info({ port: metricsPort, host: config.metricsHost }, 'metrics listening');
    }
    const host =
      config.host && config.host !== '0.0.0.0' && config.host !== '::' ? config.host : '127.0.0.1';
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    logger.info({ port, host: config.host ?? '*', dataDir: config.dataDir }, 'listening');

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        logger.info('shutting down');
        // Closing the engine closes every transport: clients see "transport close" and reconnect
        // (to another process behind the load balancer), rather than being told to go away for good.
        http.closeAllConnections();
        await closeOpened();
        logger.info('stopped');
      })();
      return closing;
    };
    return { port, url, metricsPort, close };
  } catch (error) {
    await closeOpened();
    throw error;
  }
}
