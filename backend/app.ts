/**
 * The HTTP side of pagechat as a Hono app: health, the presence API, the widget bundle, metrics and
 * the demo pages. `createApp(deps)` never listens; the composition root (server.ts) serves it.
 */
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { z } from 'zod';
import { negotiate, type Asset } from './assets.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { ErrorCode, HttpErrorBody, PresenceResponse } from './protocol.js';
import { checkSiteName, normalizeRoomKey } from './rooms.js';

export interface AppDeps {
  /** Distinct visitors in a room right now. */
  count(site: string, room: string): number | Promise<number>;
  /** Whether this server serves `site`. */
  serves(site: string): boolean;
  /** Bundles by request path (`/widget.js`, ...); a missing one answers 503. */
  assets: Record<string, Asset | undefined>;
  /** Folder of demo pages served at `/`, or undefined to serve none. */
  demoDir: string | undefined;
  /** Metrics to expose at `/metrics`, or undefined to expose none. */
  metrics: Metrics | undefined;
  logger: Logger;
}

const presenceQuery = z.object({ room: z.string() });

const httpError = (code: ErrorCode, message: string): HttpErrorBody => ({
  error: { code, message },
});

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // The API is read by widgets on customers' pages: any origin, no credentials.
  app.use('/api/*', cors({ origin: '*', allowMethods: ['GET', 'OPTIONS'], maxAge: 86_400 }));

  app.get('/api/v1/sites/:site/presence', async (c) => {
    const site = c.req.param('site');
    const check = checkSiteName(site);
    if (check !== 'ok') {
      return c.json(httpError('invalid_site', 'the site name is not valid or is reserved'), 400);
    }
    if (!deps.serves(site)) {
      return c.json(httpError('site_not_allowed', 'this server does not serve this site'), 400);
    }
    const query = presenceQuery.safeParse({ room: c.req.query('room') });
    if (!query.success) {
      return c.json(httpError('invalid_payload', 'the room query parameter is required'), 400);
    }
    const room = normalizeRoomKey(query.data.room);
    if (!room.ok) return c.json(httpError('invalid_payload', room.reason), 400);
    const body: PresenceResponse = {
      site,
      room: room.room,
      count: await deps.count(site, room.room),
    };
    c.header('Cache-Control', 'no-store');
    return c.json(body);
  });

  for (const [path, asset] of Object.entries(deps.assets)) {
    app.get(path, (c) => {
      if (!asset) {
        return c.text(`${path} is not built; run \`npm run build\``, 503, {
          'Cache-Control': 'no-store',
        });
      }
      const headers: Record<string, string> = {
        'Content-Type': asset.type,
        // The URL is not versioned: cache briefly, revalidate cheaply by ETag.
        'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
        ETag: asset.etag,
        Vary: 'Accept-Encoding',
        'Access-Control-Allow-Origin': '*',
        'Cross-Origin-Resource-Policy': 'cross-origin',
        'X-Content-Type-Options': 'nosniff',
      };
      if (c.req.header('If-None-Match') === asset.etag) return c.body(null, 304, headers);
      const encoding = negotiate(c.req.header('Accept-Encoding'));
      if (encoding !== 'identity') headers['Content-Encoding'] = encoding;
      const body = encoding === 'br' ? asset.br : encoding === 'gzip' ? asset.gzip : asset.identity;
      return c.body(new Uint8Array(body), 200, headers);
    });
  }

  if (deps.metrics) {
    const { registry } = deps.metrics;
    app.get('/metrics', async (c) =>
      c.text(await registry.metrics(), 200, { 'Content-Type': registry.contentType }),
    );
  }

  if (deps.demoDir) {
    const root = deps.demoDir;
    app.get('*', serveStatic({ root }));
    // The single-page demo routes every other path under /spa/ to its one document.
    app.get('/spa/*', serveStatic({ root, rewriteRequestPath: () => '/spa/index.html' }));
  }

  app.onError((error, c) => {
    deps.logger.error({ err: error, path: c.req.path }, 'http request failed');
    return c.json(httpError('internal', 'the server failed'), 500);
  });

  return app;
}
