/**
 * The owner and operator HTTP API (ADMIN-API.md) against a real server, as curl would call it:
 * every request, who may send it, the exact statuses, shapes and error codes, paging, the NDJSON
 * export, limits on failed credentials and claims, and the generated OpenAPI document.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntry, Ban, Site } from '../../backend/admin-protocol.js';
import type { Message } from '../../backend/protocol.js';
import { api, claimSite, type ApiResponse } from '../helpers/admin.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect } from '../helpers/client.js';
import { MANY_MESSAGES, OPERATOR_TOKEN, startTestServer } from '../helpers/server.js';

afterEach(cleanup);

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: { error: { code, message: expect.stringMatching(/\S/) } },
  });
}

const DEFAULTS = { origins: [], welcome: null, slowModeMs: 0, blockedWords: [], readOnly: false };

describe('sites', () => {
  it('the operator claims, lists, reads and deletes sites', async () => {
    const server = await startTestServer();
    const created = await api<{ site: Site; key: string }>(server, 'POST', '/sites', {
      key: OPERATOR_TOKEN,
      body: { site: 'acme', settings: { origins: ['https://acme.com'] } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      site: {
        site: 'acme',
        createdAt: expect.any(Number),
        settings: { ...DEFAULTS, origins: ['https://acme.com'] },
      },
      key: expect.stringMatching(/^.{32,}$/),
    });
    expectError(
      await api(server, 'POST', '/sites', { key: OPERATOR_TOKEN, body: { site: 'acme' } }),
      409,
      'site_taken',
    );
    const list = await api<{ sites: Site[] }>(server, 'GET', '/sites', { key: OPERATOR_TOKEN });
    expect(list).toMatchObject({ status: 200, body: { sites: [created.body.site] } });
    const one = await api(server, 'GET', '/sites/acme', { key: created.body.key });
    expect(one).toMatchObject({ status: 200, body: created.body.site });
    expect((await api(server, 'GET', '/sites/acme', { key: OPERATOR_TOKEN })).status).toBe(200);
    const deleted = await api(server, 'DELETE', '/sites/acme', { key: OPERATOR_TOKEN });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe('');
    expectError(await api(server, 'GET', '/sites/acme', { key: OPERATOR_TOKEN }), 404, 'not_found');
    expectError(
      await api(server, 'DELETE', '/sites/acme', { key: OPERATOR_TOKEN }),
      404,
      'not_found',
    );
  });

  it('tells who may do what: 401 without or with wrong credentials, 403 for another site or the operator’s work', async () => {
    const server = await startTestServer();
    const acme = await claimSite(server, 'acme');
    await claimSite(server, 'globex');
    expectError(await api(server, 'GET', '/sites/acme'), 401, 'unauthorized');
    expectError(await api(server, 'GET', '/sites/acme', { key: 'pck_wrong' }), 401, 'unauthorized');
    expectError(
      await api(server, 'GET', '/sites/acme', { headers: { Authorization: 'Basic abc' } }),
      401,
      'unauthorized',
    );
    expectError(await api(server, 'GET', '/sites/globex', { key: acme }), 403, 'forbidden');
    expectError(await api(server, 'GET', '/sites', { key: acme }), 403, 'forbidden');
    expectError(await api(server, 'DELETE', '/sites/acme', { key: acme }), 403, 'forbidden');
    // Signup is closed by default: only the operator creates sites.
    expectError(
      await api(server, 'POST', '/sites', { body: { site: 'initech' } }),
      401,
      'unauthorized',
    );
    expectError(
      await api(server, 'POST', '/sites', { key: acme, body: { site: 'initech' } }),
      403,
      'forbidden',
    );
    // Unclaimed names exist for nobody.
    expectError(
      await api(server, 'GET', '/sites/initech', { key: OPERATOR_TOKEN }),
      404,
      'not_found',
    );
  });

  it('answers 400 with invalid_site or invalid_payload, naming what is wrong', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    const op = { key: OPERATOR_TOKEN };
    expectError(await api(server, 'GET', '/sites/Bad_Name', op), 400, 'invalid_site');
    expectError(await api(server, 'GET', '/sites/admin', op), 400, 'invalid_site');
    expectError(
      await api(server, 'POST', '/sites', { ...op, body: { site: 'admin' } }),
      400,
      'invalid_site',
    );
    expectError(
      await api(server, 'POST', '/sites', { ...op, body: { site: 'a_b' } }),
      400,
      'invalid_site',
    );
    expectError(await api(server, 'POST', '/sites', { ...op, body: {} }), 400, 'invalid_payload');
    expectError(
      await api(server, 'POST', '/sites', { ...op, body: { site: 'x', extra: 1 } }),
      400,
      'invalid_payload',
    );
    const badJson = await fetch(`${server.url}/api/v1/sites/acme`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: '{"slowModeMs":',
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { code: 'invalid_payload' } });
    for (const body of [
      { slowModeMs: -1 },
      { slowModeMs: 3_600_001 },
      { slowModeMs: 1.5 },
      { origins: ['acme.com'] },
      { origins: ['ftp://acme.com'] },
      { welcome: 'x'.repeat(501) },
      { blockedWords: ['x'.repeat(65)] },
      { blockedWords: Array.from({ length: 501 }, (_, i) => `w${i}`) },
      { readOnly: 'yes' },
      { unknown: true },
    ]) {
      expectError(await api(server, 'PATCH', '/sites/acme', { key, body }), 400, 'invalid_payload');
    }
    expectError(
      await api(server, 'GET', '/sites/acme/rooms?limit=0', { key }),
      400,
      'invalid_payload',
    );
    expectError(
      await api(server, 'GET', '/sites/acme/rooms?limit=1001', { key }),
      400,
      'invalid_payload',
    );
    expectError(
      await api(server, 'GET', '/sites/acme/messages?limit=201', { key }),
      400,
      'invalid_payload',
    );
    expectError(
      await api(server, 'GET', '/sites/acme/audit?limit=abc', { key }),
      400,
      'invalid_payload',
    );
    expectError(
      await api(server, 'PUT', '/sites/acme/rooms/state', {
        key,
        body: { room: '  ', readOnly: true },
      }),
      400,
      'invalid_payload',
    );
    for (const body of [
      {},
      { visitorId: 'a', messageId: 'b' },
      { visitorId: 'a', durationMs: 0 },
    ]) {
      expectError(
        await api(server, 'POST', '/sites/acme/bans', { key, body }),
        400,
        'invalid_payload',
      );
    }
    expectError(await api(server, 'GET', '/no/such/thing', { key }), 404, 'not_found');
  });

  it('patches only the settings given, and keeps the rest', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme', { blockedWords: ['spam'] });
    const res = await api<Site>(server, 'PATCH', '/sites/acme', {
      key,
      body: { welcome: 'Hi there', slowModeMs: 5000, origins: ['https://*.acme.com'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.settings).toEqual({
      ...DEFAULTS,
      blockedWords: ['spam'],
      welcome: 'Hi there',
      slowModeMs: 5000,
      origins: ['https://*.acme.com'],
    });
    const visitor = await connect(server.url, 'acme');
    expect((await visitor.join('/')).welcome).toBe('Hi there');
    const back = await api<Site>(server, 'PATCH', '/sites/acme', { key, body: { welcome: null } });
    expect(back.body.settings.welcome).toBeNull();
  });

  it('rotates the key: 201 with a new key, the old one refused at once', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    const res = await api<{ key: string }>(server, 'POST', '/sites/acme/key', { key });
    expect(res).toMatchObject({ status: 201, body: { key: expect.any(String) } });
    expectError(await api(server, 'GET', '/sites/acme', { key }), 401, 'unauthorized');
  });
});

describe('signup', () => {
  it('when open, lets anyone claim a free name, limited per client address', async () => {
    const server = await startTestServer({
      signup: 'open',
      claimRate: { burst: 2, perSecond: 0.001 },
    });
    const first = await api<{ key: string }>(server, 'POST', '/sites', { body: { site: 'one' } });
    expect(first.status).toBe(201);
    expect((await api(server, 'GET', '/sites/one', { key: first.body.key })).status).toBe(200);
    expect((await api(server, 'POST', '/sites', { body: { site: 'two' } })).status).toBe(201);
    const third = await api(server, 'POST', '/sites', { body: { site: 'three' } });
    expectError(third, 429, 'rate_limited');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    // The operator is not limited.
    expect(
      (await api(server, 'POST', '/sites', { key: OPERATOR_TOKEN, body: { site: 'four' } })).status,
    ).toBe(201);
  });
});

describe('failed credentials', () => {
  it('are limited per client address, and then even a right key waits', async () => {
    const server = await startTestServer({ authFailureRate: { burst: 3, perSecond: 0.001 } });
    const key = await claimSite(server, 'acme');
    for (let i = 0; i < 3; i++) {
      expectError(
        await api(server, 'GET', '/sites/acme', { key: `pck_guess${i}` }),
        401,
        'unauthorized',
      );
    }
    const limited = await api(server, 'GET', '/sites/acme', { key: 'pck_guess4' });
    expectError(limited, 429, 'rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expectError(await api(server, 'GET', '/sites/acme', { key }), 429, 'rate_limited');
  });
});

describe('rooms, messages, bans, export and audit', () => {
  it('lists live rooms busiest first with the site’s distinct visitors', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    const a = await connect(server.url, 'acme');
    const aTab = await connect(server.url, 'acme', { auth: { token: a.session.token } });
    const b = await connect(server.url, 'acme');
    await a.join('/busy');
    await b.join('/busy');
    await aTab.join('/quiet');
    await api(server, 'PUT', '/sites/acme/rooms/state', {
      key,
      body: { room: '/quiet', readOnly: true },
    });
    const res = await api(server, 'GET', '/sites/acme/rooms', { key });
    expect(res).toEqual(
      expect.objectContaining({
        status: 200,
        body: {
          visitors: 2,
          rooms: [
            { room: '/busy', count: 2, readOnly: false },
            { room: '/quiet', count: 1, readOnly: true },
          ],
        },
      }),
    );
    const one = await api<{ rooms: unknown[] }>(server, 'GET', '/sites/acme/rooms?limit=1', {
      key,
    });
    expect(one.body.rooms).toHaveLength(1);
  });

  it('pages messages newest first, per room, exports them oldest first, and audits every action', async () => {
    const server = await startTestServer(MANY_MESSAGES);
    const key = await claimSite(server, 'acme');
    const visitor = await connect(server.url, 'acme');
    await visitor.join('/a');
    const sent: Message[] = [];
    for (let i = 0; i < 5; i++) {
      const ack = await visitor.request('message:send', { text: `a${i}` });
      if (ack.ok) sent.push(ack.message);
    }
    await visitor.join('/b');
    const other = await visitor.request('message:send', { text: 'b0' });
    if (other.ok) sent.push(other.message);

    const first = await api<{ messages: Message[]; next: string | null }>(
      server,
      'GET',
      '/sites/acme/messages?room=%2Fa&limit=3',
      { key },
    );
    expect(first.status).toBe(200);
    expect(first.body.messages.map((m) => m.text)).toEqual(['a4', 'a3', 'a2']);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await api<{ messages: Message[]; next: string | null }>(
      server,
      'GET',
      `/sites/acme/messages?room=%2Fa&limit=3&before=${encodeURIComponent(first.body.next!)}`,
      { key },
    );
    expect(second.body).toEqual({ messages: [sent[1], sent[0]], next: null });
    const all = await api<{ messages: Message[] }>(server, 'GET', '/sites/acme/messages', { key });
    expect(all.body.messages).toEqual([...sent].reverse());

    const exported = await fetch(`${server.url}/api/v1/sites/acme/export`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await exported.text()).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l) as Message)).toEqual(sent);
    const roomOnly = await fetch(`${server.url}/api/v1/sites/acme/export?room=%2Fb`, {
      headers: { Authorization: `Bearer ${key}` },
    });
    expect((await roomOnly.text()).trimEnd().split('\n')).toHaveLength(1);

    expect(
      (await api(server, 'DELETE', `/sites/acme/messages/${sent[0]!.id}`, { key })).status,
    ).toBe(204);
    expectError(
      await api(server, 'DELETE', '/sites/acme/messages/nope', { key }),
      404,
      'not_found',
    );
    const ban = await api<Ban>(server, 'POST', '/sites/acme/bans', {
      key,
      body: { messageId: sent[1]!.id, byAddress: false, reason: 'rude', durationMs: 60_000 },
    });
    expect(ban.status).toBe(201);
    expect(ban.body).toMatchObject({ visitorId: visitor.id, byAddress: false, reason: 'rude' });
    expect(ban.body.expiresAt).toBe(ban.body.createdAt + 60_000);
    expectError(
      await api(server, 'POST', '/sites/acme/bans', { key, body: { messageId: 'gone' } }),
      404,
      'not_found',
    );
    expect(
      (await api<{ bans: Ban[] }>(server, 'GET', '/sites/acme/bans', { key })).body.bans,
    ).toEqual([ban.body]);
    expect((await api(server, 'DELETE', `/sites/acme/bans/${ban.body.id}`, { key })).status).toBe(
      204,
    );
    expectError(
      await api(server, 'DELETE', `/sites/acme/bans/${ban.body.id}`, { key }),
      404,
      'not_found',
    );
    const erased = await api(server, 'DELETE', `/sites/acme/visitors/${visitor.id}/messages`, {
      key,
    });
    expect(erased).toMatchObject({ status: 200, body: { deleted: 5 } });
    expectError(
      await api(server, 'DELETE', '/sites/acme/visitors/nobody-was-here/messages', { key }),
      404,
      'not_found',
    );

    const audit = await api<{ entries: AuditEntry[]; next: string | null }>(
      server,
      'GET',
      '/sites/acme/audit?limit=3',
      { key },
    );
    expect(audit.status).toBe(200);
    expect(audit.body.entries.map((e) => e.action)).toEqual([
      'visitor.erase',
      'ban.lift',
      'ban.create',
    ]);
    expect(audit.body.entries[0]).toEqual({
      id: expect.any(String),
      at: expect.any(Number),
      actor: 'owner',
      action: 'visitor.erase',
      target: visitor.id,
      detail: { deleted: 5 },
    });
    const older = await api<{ entries: AuditEntry[]; next: string | null }>(
      server,
      'GET',
      `/sites/acme/audit?before=${encodeURIComponent(audit.body.next!)}`,
      { key },
    );
    expect(older.body.entries.map((e) => e.action)).toEqual([
      'message.delete',
      'export',
      'export',
      'site.create',
    ]);
    expect(older.body.entries.at(-1)?.actor).toBe('operator');
  });
});

describe('GET /api/v1/openapi.json', () => {
  it('describes every request of the API from the same schemas', async () => {
    const server = await startTestServer();
    const res = await api<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      server,
      'GET',
      '/openapi.json',
    );
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const routes = Object.entries(res.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'POST /sites',
        'GET /sites',
        'GET /sites/{site}',
        'PATCH /sites/{site}',
        'DELETE /sites/{site}',
        'POST /sites/{site}/key',
        'GET /sites/{site}/rooms',
        'PUT /sites/{site}/rooms/state',
        'GET /sites/{site}/messages',
        'DELETE /sites/{site}/messages/{id}',
        'POST /sites/{site}/bans',
        'GET /sites/{site}/bans',
        'DELETE /sites/{site}/bans/{id}',
        'DELETE /sites/{site}/visitors/{visitorId}/messages',
        'GET /sites/{site}/export',
        'GET /sites/{site}/audit',
        'GET /sites/{site}/presence',
      ].sort(),
    );
  });
});
