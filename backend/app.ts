/**
 * The HTTP side of pagechat as a Hono app: health, the API (api/), the widget bundle, metrics for
 * the operator and the demo pages. `createApp(deps)` never listens; the composition root
 * (server.ts) serves it, and serves `createMetricsApp` on its own port when one is configured.
 */
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { HttpBindings } from '@hono/node-server';
import { createApi, type ApiDeps } from './http/api.js';
import { negotiate, type Asset } from './assets.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { bearerCredential, isOperatorToken } from './sites/keys.js';

/**
 * Headers of every page served as a document: scripts and connections to this origin only, no
 * framing by other sites, no MIME sniffing, no referrer. Styles may be inline (the demo's hostile
 * page carries its own); HSTS belongs to whatever terminates TLS.
 */
export const pageHeaders: MiddlewareHandler = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: 'DENY',
  strictTransportSecurity: false,
});

export interface AppDeps {
  /** The owner and operator API, and the public presence endpoint. */
  api: ApiDeps;
  /** The widget's files by request path (`/widget.js`, `/widget/…`); a missing one answers 503. */
  assets: Record<string, Asset | undefined>;
  /** Folder of demo pages served at `/`, or undefined to serve none. */
  demoDir: string | undefined;
  /** Metrics to expose at `/metrics` to the operator token, or undefined to expose none. */
  metrics: Metrics | undefined;
  /** The operator token (`PAGECHAT_ADMIN_TOKEN`); without one, `/metrics` here answers 404. */
  operatorToken: string | undefined;
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
        'Cache-Control': asset.cacheControl,
        ETag: asset.etag,
        Vary: 'Accept-Encoding',
        // Pages on every origin load these, the chunks as ES modules (which need CORS), and may
        // time them (Resource Timing sizes need Timing-Allow-Origin). No credentials involved.
        'Access-Control-Allow-Origin': '*',
        'Timing-Allow-Origin': '*',
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

  if (deps.metrics && deps.operatorToken !== undefined) {
    const { registry } = deps.metrics;
    const token = deps.operatorToken;
    app.get('/metrics', async (c) => {
      const credential = bearerCredential(c.req.header('Authorization'));
      if (credential === undefined || !isOperatorToken(token, credential)) {
        return c.text('send Authorization: Bearer <operator token>\n', 401, {
          'WWW-Authenticate': 'Bearer',
        });
      }
      return c.text(await registry.metrics(), 200, { 'Content-Type': registry.contentType });
    });
  }

  if (deps.demoDir) {
    const root = deps.demoDir;
    app.get('*', pageHeaders, serveStatic({ root }));
    // The single-page demo routes every other path under /spa/ to its one document.
    app.get('/spa/*', serveStatic({ root, rewriteRequestPath: () => '/spa/index.html' }));
  }

  app.onError((error, c) => {
    deps.logger.error({ err: error, path: c.req.path }, 'http request failed');
    return c.json({ error: { code: 'internal', message: 'the server failed' } }, 500);
  });

  return app;
}

/** `/metrics` alone, without credentials, for a listener only the scraper can reach. */
export function createMetricsApp(metrics: Metrics): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) =>
    c.text(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }),
  );
  return app;
}
