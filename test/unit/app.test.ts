/**
 * The Hono app (backend/app.ts) through `app.request()`, without a server: health, the presence
 * API's answers and error bodies, CORS, the widget asset, metrics and the fallback for failures.
 * The owner API mounted under it has its own suite (test/integration/api.test.ts).
 */
import { nanoid } from 'nanoid';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiDeps } from '../../backend/http/api.js';
import { createApp, type AppDeps } from '../../backend/app.js';
import { CACHE_CONTROL, createAsset } from '../../backend/assets.js';
import { createMemoryLimiters } from '../../backend/ephemeral/memory.js';
import { createMetrics } from '../../backend/metrics.js';
import { SiteService } from '../../backend/sites/service.js';
import { openStorage } from '../../backend/store/index.js';
import type { Storage } from '../../backend/store/types.js';
import { cleanup } from '../helpers/cleanup.js';
import { makeTempDir } from '../helpers/server.js';

const ORIGIN = 'https://customer.example';

let storage: Storage;
const limiters = createMemoryLimiters(Date.now);
beforeAll(async () => {
  storage = await openStorage({ dataDir: await makeTempDir(), historyRetention: 1000 });
});
afterAll(async () => {
  limiters.close();
  await storage.close();
  await cleanup();
});

function app(overrides: Partial<AppDeps> = {}, api: Partial<ApiDeps> = {}) {
  const counts = new Map<string, number>([['acme\0/pricing', 3]]);
  const logger = pino({ level: 'silent' });
  return createApp({
    api: {
      service: new SiteService({
        storage,
        clock: Date.now,
        newId: nanoid,
        operatorToken: undefined,
      }),
      rooms: async () => ({ visitors: 0, rooms: [] }),
      count: async (site, room) => counts.get(`${site}\0${room}`) ?? 0,
      serves: async (site) => site !== 'initech',
      signup: 'closed',
      addressOf: () => 'test-address',
      limiters: {
        authFailure: limiters.limiter('auth-failure', { burst: 10, perSecond: 1 }),
        claim: limiters.limiter('claim', { burst: 5, perSecond: 1 }),
      },
      logger,
      ...api,
    },
    assets: {},
    demoDir: undefined,
    metrics: undefined,
    operatorToken: undefined,
    logger,
    ...overrides,
  });
}

describe('GET /healthz', () => {
  it('answers 200 { status: "ok" }', async () => {
    const res = await app().request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /api/v1/sites/:site/presence', () => {
  it('answers the count for the room', async () => {
    const res = await app().request('/api/v1/sites/acme/presence?room=%2Fpricing');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ site: 'acme', room: '/pricing', count: 3 });
  });

  it('is not cached by browsers or proxies', async () => {
    const res = await app().request('/api/v1/sites/acme/presence?room=%2Fpricing');
    expect(res.headers.get('cache-control')).toContain('no-store');
  });

  it('awaits an asynchronous count', async () => {
    const res = await app({}, { count: () => Promise.resolve(7) }).request(
      '/api/v1/sites/acme/presence?room=%2F',
    );
    expect(await res.json()).toEqual({ site: 'acme', room: '/', count: 7 });
  });

  it.each([
    ['/api/v1/sites/Bad_Name/presence?room=%2F', 'invalid_site'],
    ['/api/v1/sites/admin/presence?room=%2F', 'invalid_site'],
    ['/api/v1/sites/initech/presence?room=%2F', 'site_not_allowed'],
    ['/api/v1/sites/acme/presence', 'invalid_payload'],
    ['/api/v1/sites/acme/presence?room=', 'invalid_payload'],
    [`/api/v1/sites/acme/presence?room=${'r'.repeat(257)}`, 'invalid_payload'],
  ])('answers 400 for %s with %s', async (path, code) => {
    const res = await app().request(path);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code, message: expect.stringMatching(/\S/) } });
  });

  it('allows any origin', async () => {
    const res = await app().request('/api/v1/sites/acme/presence?room=%2F', {
      headers: { Origin: ORIGIN },
    });
    expect(['*', ORIGIN]).toContain(res.headers.get('access-control-allow-origin'));
  });

  it('answers 500 internal, as JSON, when counting fails', async () => {
    const res = await app({}, { count: () => Promise.reject(new Error('redis down')) }).request(
      '/api/v1/sites/acme/presence?room=%2F',
    );
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: { code: 'internal', message: expect.stringMatching(/\S/) },
    });
  });
});

describe('assets', () => {
  const body = Buffer.from('console.log("widget");');
  const asset = createAsset(body, 'text/javascript; charset=utf-8', CACHE_CONTROL.loader);
  const chunk = createAsset(body, 'text/javascript; charset=utf-8', CACHE_CONTROL.immutable);

  it('serves a built asset with its type, its cache policy and a validator', async () => {
    const res = await app({ assets: { '/widget.js': asset } }).request('/widget.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('etag')).toBe(asset.etag);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.text()).toBe('console.log("widget");');
  });

  it('keeps hashed chunks a year, compressed as the client accepts', async () => {
    const served = app({ assets: { '/widget/boot-AbCd1234.js': chunk } });
    for (const [accept, encoding] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
    ] as const) {
      const res = await served.request('/widget/boot-AbCd1234.js', {
        headers: { 'Accept-Encoding': accept },
      });
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-encoding')).toBe(encoding);
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
    }
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const res = await app({ assets: { '/widget.js': asset } }).request('/widget.js', {
      headers: { 'If-None-Match': asset.etag },
    });
    expect(res.status).toBe(304);
  });

  it('answers 503 with a hint when the asset is not built', async () => {
    const res = await app({ assets: { '/widget.js': undefined } }).request('/widget.js');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build');
  });
});

describe('GET /metrics', () => {
  const operatorToken = 'metrics-operator-token-0123456789abcdef';

  it('serves the registry to the operator token only', async () => {
    const metrics = createMetrics();
    metrics.messages.inc();
    const served = app({ metrics, operatorToken });
    const on = await served.request('/metrics', {
      headers: { Authorization: `Bearer ${operatorToken}` },
    });
    expect(on.status).toBe(200);
    expect(await on.text()).toMatch(/^pagechat_messages_total 1$/m);
    const anonymous = await served.request('/metrics');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toMatch(/pagechat_|nodejs_/);
    const wrong = await served.request('/metrics', {
      headers: { Authorization: `Bearer ${operatorToken}x` },
    });
    expect(wrong.status).toBe(401);
  });

  it('is not served without metrics or without an operator token', async () => {
    expect((await app().request('/metrics')).status).toBe(404);
    expect((await app({ metrics: createMetrics() }).request('/metrics')).status).toBe(404);
  });
});
