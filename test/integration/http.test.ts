/**
 * The HTTP side of a running server (PROTOCOL.md "HTTP"): health, the presence API with its error
 * answers, CORS for pages on other origins (the API and Socket.IO's long-polling), the widget
 * bundle and metrics.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { connect } from '../helpers/client.js';
import { OPERATOR_TOKEN, startTestServer, type TestServer } from '../helpers/server.js';

afterEach(cleanup);

const ORIGIN = 'https://customer.example';

function presence(server: TestServer, site: string, query: string): Promise<Response> {
  return fetch(`${server.url}/api/v1/sites/${site}/presence${query}`, {
    headers: { Origin: ORIGIN },
  });
}

async function expectHttpError(res: Response, code: string): Promise<void> {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await res.json()).toEqual({ error: { code, message: expect.stringMatching(/\S/) } });
}

function allowsOrigin(res: Response): boolean {
  const allowed = res.headers.get('access-control-allow-origin');
  return allowed === '*' || allowed === ORIGIN;
}

describe('GET /healthz', () => {
  it('answers 200 { status: "ok" } as JSON', async () => {
    const server = await startTestServer();
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

describe('GET /api/v1/sites/:site/presence', () => {
  it('answers 200 { site, room, count } matching the visitors in the room', async () => {
    const server = await startTestServer();
    let res = await presence(server, 'acme', '?room=%2Fpricing');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ site: 'acme', room: '/pricing', count: 0 });

    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    const elsewhere = await connect(server.url, 'globex');
    await a.join('/pricing');
    await b.join('/pricing');
    await elsewhere.join('/pricing');
    res = await presence(server, 'acme', '?room=%2Fpricing');
    expect(await res.json()).toEqual({ site: 'acme', room: '/pricing', count: 2 });

    b.close();
    await a.next('left');
    res = await presence(server, 'acme', '?room=%2Fpricing');
    expect(await res.json()).toEqual({ site: 'acme', room: '/pricing', count: 1 });
  });

  it('trims the room key as a join does', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    await a.join('/docs');
    const res = await presence(server, 'acme', `?room=${encodeURIComponent('  /docs ')}`);
    expect(await res.json()).toEqual({ site: 'acme', room: '/docs', count: 1 });
  });

  it('reads keys with reserved URL characters when encoded', async () => {
    const server = await startTestServer();
    const room = 'https://shop.example/item?id=1&x=2#top';
    const a = await connect(server.url, 'acme');
    await a.join(room);
    const res = await presence(server, 'acme', `?room=${encodeURIComponent(room)}`);
    expect(await res.json()).toEqual({ site: 'acme', room, count: 1 });
  });

  it.each(['Bad_Name', 'admin', '-x', 'x'.repeat(41)])(
    'answers 400 invalid_site for the site %s',
    async (site) => {
      const server = await startTestServer();
      await expectHttpError(await presence(server, site, '?room=%2F'), 'invalid_site');
    },
  );

  it.each([
    ['no room parameter', ''],
    ['an empty room', '?room='],
    ['a whitespace-only room', '?room=%20%20'],
    ['a 257-character room', `?room=${'r'.repeat(257)}`],
    ['a room with a control character', '?room=%2Fa%00b'],
  ])('answers 400 invalid_payload for %s', async (_, query) => {
    const server = await startTestServer();
    await expectHttpError(await presence(server, 'acme', query), 'invalid_payload');
  });

  it('answers 400 site_not_allowed for a site this server does not serve', async () => {
    const server = await startTestServer({ sites: ['acme'] });
    expect((await presence(server, 'acme', '?room=%2F')).status).toBe(200);
    await expectHttpError(await presence(server, 'initech', '?room=%2F'), 'site_not_allowed');
  });

  it('allows cross-origin reads (CORS), including the preflight', async () => {
    const server = await startTestServer();
    const res = await presence(server, 'acme', '?room=%2F');
    expect(res.status).toBe(200);
    expect(allowsOrigin(res)).toBe(true);
    const errorRes = await presence(server, 'Bad_Name', '?room=%2F');
    expect(allowsOrigin(errorRes)).toBe(true);
    const preflight = await fetch(`${server.url}/api/v1/sites/acme/presence?room=%2F`, {
      method: 'OPTIONS',
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(allowsOrigin(preflight)).toBe(true);
  });
});

describe('Socket.IO over HTTP long-polling', () => {
  it('answers a cross-origin handshake with CORS headers', async () => {
    const server = await startTestServer();
    const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { Origin: ORIGIN },
    });
    expect(res.status).toBe(200);
    expect(allowsOrigin(res)).toBe(true);
    // An Engine.IO v4 open packet: "0" followed by JSON with the session id.
    const body = await res.text();
    expect(body.startsWith('0{')).toBe(true);
    expect(JSON.parse(body.slice(1))).toMatchObject({ sid: expect.any(String) });
  });

  it('carries a whole conversation: session, join, joined, messages both ways', async () => {
    const server = await startTestServer({ presenceWindowMs: 100 });
    const a = await connect(server.url, 'acme', {
      transports: ['polling'],
      extraHeaders: { Origin: ORIGIN },
    });
    const b = await connect(server.url, 'acme');
    expect(await a.request('join', { room: '/poll' })).toMatchObject({ ok: true, count: 1 });
    await b.join('/poll');
    expect(await a.next('joined')).toMatchObject({ room: '/poll', visitor: b.visitor, count: 2 });
    const ack = await b.request('message:send', { text: 'over websocket' });
    expect(await a.next('message')).toEqual(ack.ok ? ack.message : undefined);
    const reply = await a.request('message:send', { text: 'over polling' });
    expect(await b.next('message')).toEqual(reply.ok ? reply.message : undefined);
    expect(a.socket.io.engine.transport.name).toBe('polling');
  });
});

describe('GET /widget.js', () => {
  it('serves the loader and the chunks it names, cross-origin, with their cache policies', async () => {
    const built = fileURLToPath(new URL('../../dist/widget.js', import.meta.url));
    if (!existsSync(built)) {
      throw new Error(
        `${built} is missing: run \`npm run build\` first (\`npm test\` builds before running vitest)`,
      );
    }
    const server = await startTestServer();
    const res = await fetch(`${server.url}/widget.js`, { headers: { Origin: ORIGIN } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const loader = await res.text();
    const entry = /widget\/boot-[\w-]+\.js/.exec(loader)?.[0];
    expect(entry).toBeDefined();
    const chunk = await fetch(`${server.url}/${entry}`, {
      headers: { Origin: ORIGIN, 'Accept-Encoding': 'br' },
    });
    expect(chunk.status).toBe(200);
    expect(chunk.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(chunk.headers.get('access-control-allow-origin')).toBe('*');
    expect(chunk.headers.get('content-encoding')).toBe('br');
    expect((await chunk.text()).length).toBeGreaterThan(10_000);
    const latest = await fetch(`${server.url}/widget/latest.js`);
    expect(latest.headers.get('cache-control')).toBe('no-cache');
    expect(await latest.text()).toContain(entry?.slice('widget/'.length));
    expect((await fetch(`${server.url}/widget/builds.json`)).status).toBe(404);
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text that counts connections to the operator token', async () => {
    const server = await startTestServer();
    await connect(server.url, 'acme');
    const res = await fetch(`${server.url}/metrics`, {
      headers: { Authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await res.text();
    expect(body).toMatch(/^# HELP /m);
    expect(body).toMatch(/^pagechat_connections 1$/m);
  });
});
