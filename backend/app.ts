/**
 * The HTTP side of pagechat as a Hono app: health, the API (api/), the widget bundle, metrics and
 * the demo pages. `createApp(deps)` never listens; the composition root (server.ts) serves it.
 */
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { createApi, type ApiDeps } from './http/api.js';
import { negotiate, type Asset } from './assets.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface AppDeps {
  /** The owner and operator API, and the public presence endpoint. */
  api: ApiDeps;
  /** Bundles by request path (`/widget.js`, ...); a missing one answers 503. */
  assets: Record<string, Asset | undefined>;
  /** Folder of demo pages served at `/`, or undefined to serve none. */
  demoDir: string | undefined;
  /** Metrics to expose at `/metrics`, or undefined to expose none. */
  metrics: Metrics | undefined;
  logger: Logger;
}

export function createApp(deps: AppDeps): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.route('/api/v1', createApi(deps.api));

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
    return c.json({ error: { code: 'internal', message: 'the server failed' } }, 500);
  });

  return app;
}
