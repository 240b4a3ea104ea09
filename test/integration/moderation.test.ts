/**
 * Site owners' settings and moderation as visitors feel them (PROTOCOL.md 1.1, ADMIN-API.md): a
 * real server, its real HTTP API called as an owner would, and real socket.io-client visitors who
 * see `deleted`, `room`, `kicked`, `read_only`, `text_not_allowed` and slow mode.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ban } from '../../backend/admin-protocol.js';
import { defineConfig } from '../../backend/config.js';
import { MemoryPresence } from '../../backend/ephemeral/presence.js';
import { nanoid } from 'nanoid';
import { createLogger } from '../../backend/logger.js';
import { startServer } from '../../backend/server.js';
import { SiteService } from '../../backend/sites/service.js';
import { openStorage } from '../../backend/store/index.js';
import { api, claimSite } from '../helpers/admin.js';
import { expectFailure } from '../helpers/assertions.js';
import { cleanup, track } from '../helpers/cleanup.js';
import { connect, connectRefused } from '../helpers/client.js';
import { makeTempDir, startTestServer } from '../helpers/server.js';

afterEach(cleanup);

describe('origins', () => {
  it('refuses pages on other origins, accepts listed and wildcard ones, and non-browsers', async () => {
    const server = await startTestServer();
    await claimSite(server, 'acme', { origins: ['https://acme.com', 'https://*.acme.org'] });
    const from = (origin: string) => ({ extraHeaders: { Origin: origin } });
    for (const transport of ['websocket', 'polling'] as const) {
      const refused = await connectRefused(server.url, 'acme', {
        ...from('https://copycat.example'),
        transports: [transport],
      });
      expect(refused.message).toBe('origin_not_allowed');
      expect(refused.data).toEqual({ code: 'origin_not_allowed', message: expect.any(String) });
    }
    expect((await connectRefused(server.url, 'acme', from('https://acme.org'))).message).toBe(
      'origin_not_allowed',
    );
    expect((await connectRefused(server.url, 'acme', from('https://evilacme.org'))).message).toBe(
      'origin_not_allowed',
    );
    await connect(server.url, 'acme', from('https://acme.com'));
    await connect(server.url, 'acme', from('https://blog.acme.org'));
    await connect(server.url, 'acme');
    // Another site is not restricted by acme's list.
    await connect(server.url, 'globex', from('https://copycat.example'));
  });
});

describe('sites', () => {
  it('serves only claimed sites when open sites are off, from the moment they are claimed', async () => {
    const server = await startTestServer({ openSites: false });
    expect((await connectRefused(server.url, 'acme')).message).toBe('site_not_allowed');
    await claimSite(server, 'acme');
    await connect(server.url, 'acme');
    expect((await connectRefused(server.url, 'globex')).message).toBe('site_not_allowed');
  });

  it('deleting a site disconnects its visitors and forgets its history', async () => {
    const server = await startTestServer();
    await claimSite(server, 'acme');
    const visitor = await connect(server.url, 'acme');
    await visitor.join('/room');
    await visitor.request('message:send', { text: 'soon gone' });
    const gone = visitor.disconnected();
    expect((await api(server, 'DELETE', '/sites/acme', { key: OPERATOR })).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    const again = await connect(server.url, 'acme');
    expect((await again.join('/room')).history).toEqual([]);
  });

  it('rotating the key stops the old one at once', async () => {
    const server = await startTestServer();
    const oldKey = await claimSite(server, 'acme');
    const rotated = await api<{ key: string }>(server, 'POST', '/sites/acme/key', { key: oldKey });
    expect(rotated.status).toBe(201);
    expect((await api(server, 'GET', '/sites/acme', { key: oldKey })).status).toBe(401);
    expect((await api(server, 'GET', '/sites/acme', { key: rotated.body.key })).status).toBe(200);
  });

  it('a change written by another process (the CLI) reaches live sockets without a restart', async () => {
    const server = await startTestServer({ changePollMs: 200 });
    await claimSite(server, 'acme');
    const visitor = await connect(server.url, 'acme');
    await visitor.join('/room');
    // What `npx pagechat` does: the same storage, a service of its own, no live server state.
    const storage = track.server(await openStorage(server.config));
    const cli = new SiteService({
      storage,
      clock: Date.now,
      newId: nanoid,
      operatorToken: undefined,
    });
    await cli.updateSettings('acme', { readOnly: true }, 'operator');
    expect(await visitor.next('room', { timeout: 5000 })).toEqual({
      room: '/room',
      readOnly: true,
    });
    expectFailure(await visitor.request('message:send', { text: 'hi' }), 'read_only');
  });
});

const OPERATOR = 'test-operator-token-0123456789abcdef';

describe('messages', () => {
  it('a deleted message leaves every open widget, the history and the API', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    const author = await connect(server.url, 'acme');
    const reader = await connect(server.url, 'acme');
    await author.join('/room');
    await reader.join('/room');
    const sent = await author.request('message:send', { text: 'oops' });
    if (!sent.ok) throw new Error('send failed');
    await reader.next('message');
    const res = await api(server, 'DELETE', `/sites/acme/messages/${sent.message.id}`, { key });
    expect(res.status).toBe(204);
    const deleted = { room: '/room', id: sent.message.id };
    expect(await reader.next('deleted')).toEqual(deleted);
    expect(await author.next('deleted')).toEqual(deleted);
    const newcomer = await connect(server.url, 'acme');
    expect((await newcomer.join('/room')).history).toEqual([]);
    const listed = await api<{ messages: unknown[] }>(server, 'GET', '/sites/acme/messages', {
      key,
    });
    expect(listed.body.messages).toEqual([]);
    expect(
      (await api(server, 'DELETE', `/sites/acme/messages/${sent.message.id}`, { key })).status,
    ).toBe(404);
  });

  it('refuses blocked words whole-word, in any case, through zero-width and look-alike letters', async () => {
    const server = await startTestServer();
    await claimSite(server, 'acme', { blockedWords: ['spam', 'bad word'] });
    const visitor = await connect(server.url, 'acme');
    await visitor.join('/room');
    for (const text of [
      'spam',
      'buy SPAM now',
      's\u200bpam!',
      'ｓｐａｍ',
      'a BAD  word'.replace('  ', ' '),
    ]) {
      expectFailure(await visitor.request('message:send', { text }), 'text_not_allowed');
    }
    for (const text of ['spammer', 'antispam', 'bad words']) {
      expect(await visitor.request('message:send', { text })).toMatchObject({ ok: true });
    }
  });

  it('slow mode is in the join ack and answers rate_limited with when to retry', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    expect(
      (await api(server, 'PATCH', '/sites/acme', { key, body: { slowModeMs: 30_000 } })).status,
    ).toBe(200);
    const visitor = await connect(server.url, 'acme');
    const ack = await visitor.join('/room');
    expect(ack.limits).toEqual({ textMax: 2000, slowModeMs: 30_000 });
    expect(ack.readOnly).toBe(false);
    expect(await visitor.request('message:send', { text: 'one' })).toMatchObject({ ok: true });
    const second = await visitor.request('message:send', { text: 'two' });
    expectFailure(second, 'rate_limited');
    const wait = second.ok ? 0 : (second.error.retryAfterMs ?? 0);
    expect(wait).toBeGreaterThan(25_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    // Per room: the same visitor may post in another room.
    await visitor.join('/other');
    expect(await visitor.request('message:send', { text: 'elsewhere' })).toMatchObject({
      ok: true,
    });
  });
});

describe('paused rooms and sites', () => {
  it('pausing a room tells it, refuses sends with read_only, and reopening tells it again', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    const visitor = await connect(server.url, 'acme');
    const elsewhere = await connect(server.url, 'acme');
    await visitor.join('/room');
    await elsewhere.join('/other');
    const paused = await api(server, 'PUT', '/sites/acme/rooms/state', {
      key,
      body: { room: '/room', readOnly: true },
    });
    expect(paused).toMatchObject({ status: 200, body: { room: '/room', readOnly: true } });
    expect(await visitor.next('room')).toEqual({ room: '/room', readOnly: true });
    expectFailure(await visitor.request('message:send', { text: 'hi' }), 'read_only');
    expect(await elsewhere.request('message:send', { text: 'hi' })).toMatchObject({ ok: true });
    const late = await connect(server.url, 'acme');
    expect((await late.join('/room')).readOnly).toBe(true);
    await api(server, 'PUT', '/sites/acme/rooms/state', {
      key,
      body: { room: '/room', readOnly: false },
    });
    expect(await visitor.next('room')).toEqual({ room: '/room', readOnly: false });
    expect(await visitor.request('message:send', { text: 'back' })).toMatchObject({ ok: true });
    // The other room never heard of it.
    expect(elsewhere.received('room')).toEqual([]);
  });

  it('pausing the whole site tells every room', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/a');
    await b.join('/b');
    await api(server, 'PATCH', '/sites/acme', { key, body: { readOnly: true } });
    expect(await a.next('room')).toEqual({ room: '/a', readOnly: true });
    expect(await b.next('room')).toEqual({ room: '/b', readOnly: true });
    expectFailure(await b.request('message:send', { text: 'hi' }), 'read_only');
  });
});

describe('bans', () => {
  it('kicks every socket of the visitor, refuses it at the handshake, and lifting lets it back', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    const troll = await connect(server.url, 'acme');
    const trollTab = await connect(server.url, 'acme', { auth: { token: troll.session.token } });
    const bystander = await connect(server.url, 'acme');
    await troll.join('/room');
    await bystander.join('/room');
    const kicked = [troll.next('kicked'), trollTab.next('kicked')];
    const gone = [troll.disconnected(), trollTab.disconnected()];
    const res = await api<Ban>(server, 'POST', '/sites/acme/bans', {
      key,
      body: { visitorId: troll.id, byAddress: false, reason: 'spam' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      visitorId: troll.id,
      byAddress: false,
      reason: 'spam',
      createdAt: expect.any(Number),
      expiresAt: null,
    });
    for (const k of await Promise.all(kicked))
      expect(k).toEqual({ code: 'banned', message: expect.any(String) });
    expect(await Promise.all(gone)).toEqual(['io server disconnect', 'io server disconnect']);
    // The bystander from the same address stays: this ban is not by address.
    expect(bystander.socket.connected).toBe(true);
    const refused = await connectRefused(server.url, 'acme', {
      auth: { token: troll.session.token },
    });
    expect(refused.data).toEqual({ code: 'banned', message: expect.any(String) });
    // Bans are per site.
    await connect(server.url, 'globex');
    const list = await api<{ bans: Ban[] }>(server, 'GET', '/sites/acme/bans', { key });
    expect(list.body.bans).toEqual([res.body]);
    expect((await api(server, 'DELETE', `/sites/acme/bans/${res.body.id}`, { key })).status).toBe(
      204,
    );
    await connect(server.url, 'acme', { auth: { token: troll.session.token } });
  });

  it('bans the author of a message by address, covering new identities from that address', async () => {
    const server = await startTestServer({ trustProxy: 1 });
    const key = await claimSite(server, 'acme');
    const fromTroll = { extraHeaders: { 'X-Forwarded-For': '203.0.113.7' } };
    const troll = await connect(server.url, 'acme', fromTroll);
    const sockPuppet = await connect(server.url, 'acme', fromTroll);
    const other = await connect(server.url, 'acme', {
      extraHeaders: { 'X-Forwarded-For': '198.51.100.1' },
    });
    await troll.join('/room');
    const sent = await troll.request('message:send', { text: 'troll' });
    if (!sent.ok) throw new Error('send failed');
    const puppetKicked = sockPuppet.next('kicked');
    const res = await api<Ban>(server, 'POST', '/sites/acme/bans', {
      key,
      body: { messageId: sent.message.id, durationMs: 3_600_000 },
    });
    expect(res).toMatchObject({ status: 201, body: { visitorId: troll.id, byAddress: true } });
    expect(res.body.expiresAt! - res.body.createdAt).toBe(3_600_000);
    await troll.next('kicked');
    await puppetKicked;
    expect((await connectRefused(server.url, 'acme', fromTroll)).message).toBe('banned');
    expect(other.socket.connected).toBe(true);
  });

  it('answers 404 for a visitor never seen on the site', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    const visitor = await connect(server.url, 'acme');
    await visitor.join('/room');
    const res = await api(server, 'POST', '/sites/acme/bans', {
      key,
      body: { visitorId: 'never-seen-visitor-id', byAddress: false },
    });
    expect(res.status).toBe(404);
  });
});

describe('erasing a visitor', () => {
  it('deletes every message of the visitor on the site and tells the live rooms', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    const author = await connect(server.url, 'acme');
    const reader = await connect(server.url, 'acme');
    await reader.join('/a');
    await author.join('/a');
    const one = await author.request('message:send', { text: 'one' });
    await author.join('/b');
    await author.request('message:send', { text: 'two' });
    const res = await api(server, 'DELETE', `/sites/acme/visitors/${author.id}/messages`, { key });
    expect(res).toMatchObject({ status: 200, body: { deleted: 2 } });
    expect(await reader.next('deleted')).toEqual({ room: '/a', id: one.ok ? one.message.id : '' });
    const audit = await api<{ entries: { action: string }[] }>(server, 'GET', '/sites/acme/audit', {
      key,
    });
    expect(audit.body.entries.map((e) => e.action)).toContain('visitor.erase');
  });
});

describe('names belong to the visitor', () => {
  it('a rename reaches the visitor’s other tabs, which then send with the new name', async () => {
    const server = await startTestServer();
    const tab1 = await connect(server.url, 'acme', { auth: { name: 'Ada' } });
    const tab2 = await connect(server.url, 'acme', { auth: { token: tab1.session.token } });
    expect(tab2.session.name).toBe('Ada');
    const reader = await connect(server.url, 'acme');
    await tab1.join('/one');
    await tab2.join('/two');
    await reader.join('/two');
    expect(await tab1.request('name:set', { name: 'Grace' })).toEqual({
      ok: true,
      visitor: { id: tab1.id, name: 'Grace' },
    });
    expect(await tab2.next('renamed')).toEqual({
      room: '/one',
      visitor: { id: tab1.id, name: 'Grace' },
    });
    const sent = await tab2.request('message:send', { text: 'from the other tab' });
    expect(sent).toMatchObject({ ok: true, message: { visitor: { id: tab1.id, name: 'Grace' } } });
    expect((await reader.next('message')).visitor.name).toBe('Grace');
  });
});

describe('a handshake name', () => {
  it('renames the visitor on its other tabs too', async () => {
    const server = await startTestServer();
    const tab1 = await connect(server.url, 'acme', { auth: { name: 'Ada' } });
    const tab2 = await connect(server.url, 'acme', {
      auth: { token: tab1.session.token, name: 'Grace' },
    });
    expect(tab2.session.name).toBe('Grace');
    expect(await tab1.next('renamed')).toEqual({
      room: '',
      visitor: { id: tab1.id, name: 'Grace' },
    });
  });
});

describe('connections per address', () => {
  it('refuses more than PAGECHAT_MAX_CONNECTIONS_PER_IP with rate_limited, and frees a place on leaving', async () => {
    const server = await startTestServer({ maxConnectionsPerIp: 2 });
    const one = { localAddress: '127.0.0.9' };
    const a = await connect(server.url, 'acme', one);
    await connect(server.url, 'globex', one);
    expect((await connectRefused(server.url, 'acme', one)).message).toBe('rate_limited');
    // Other addresses are not affected.
    await connect(server.url, 'acme');
    const gone = a.disconnected();
    a.close();
    await gone;
    // The place is released as the server sees the disconnect; retry until it does.
    await expect
      .poll(async () => {
        const c = await connect(server.url, 'acme', one).catch(() => undefined);
        return c !== undefined;
      })
      .toBe(true);
  });
});

describe('joins', () => {
  it('rate-limits re-joining the room a socket is already in', async () => {
    const server = await startTestServer({ joinRate: { burst: 2, perSecond: 0.01 } });
    const visitor = await connect(server.url, 'acme');
    await visitor.join('/room');
    await visitor.join('/room');
    expectFailure(await visitor.request('join', { room: '/room' }), 'rate_limited');
  });
});

describe('the moderators’ live view', () => {
  it('refuses bad credentials, streams the site’s messages, deletions and rooms, and is never counted', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    const otherKey = await claimSite(server, 'globex');
    const { io } = await import('socket.io-client');
    const open = (auth: Record<string, string>) =>
      track.socket(
        io(`${server.url}/admin`, { auth, transports: ['websocket'], reconnection: false }),
      );
    const refusedWith = (auth: Record<string, string>) =>
      new Promise<unknown>((resolve) =>
        open(auth).once('connect_error', (e) => resolve(e.message)),
      );
    expect(await refusedWith({ site: 'acme', key: 'wrong-key-wrong-key-wrong-key-123' })).toBe(
      'unauthorized',
    );
    expect(await refusedWith({ site: 'acme', key: otherKey })).toBe('forbidden');

    const visitor = await connect(server.url, 'acme');
    await visitor.join('/room');
    const moderator = open({ site: 'acme', key });
    const first = await new Promise((resolve) => moderator.once('rooms', resolve));
    expect(first).toEqual({ visitors: 1, rooms: [{ room: '/room', count: 1, readOnly: false }] });
    const message = new Promise((resolve) => moderator.once('message', resolve));
    const sent = await visitor.request('message:send', { text: 'watched' });
    expect(await message).toEqual(sent.ok ? sent.message : undefined);
    const deleted = new Promise((resolve) => moderator.once('deleted', resolve));
    await api(server, 'DELETE', `/sites/acme/messages/${sent.ok ? sent.message.id : ''}`, { key });
    expect(await deleted).toEqual({ room: '/room', id: sent.ok ? sent.message.id : '' });
    // The moderator is nobody in the room.
    const res = await fetch(`${server.url}/api/v1/sites/acme/presence?room=%2Froom`);
    expect(await res.json()).toMatchObject({ count: 1 });
    // The operator token watches any site.
    const operator = open({ site: 'globex', key: OPERATOR });
    expect(await new Promise((resolve) => operator.once('rooms', resolve))).toEqual({
      visitors: 0,
      rooms: [],
    });
    // A newcomer changes the rooms; the view follows within its 2 s window.
    const next = new Promise((resolve) => moderator.once('rooms', resolve));
    const second = await connect(server.url, 'acme');
    await second.join('/room');
    expect(await waitRooms(next)).toEqual({
      visitors: 2,
      rooms: [{ room: '/room', count: 2, readOnly: false }],
    });
  });
});

function waitRooms(p: Promise<unknown>): Promise<unknown> {
  return Promise.race([
    p,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('no rooms event within 5 s')), 5000),
    ),
  ]);
}

describe('presence bookkeeping', () => {
  it('forgets a site with its last visitor', async () => {
    const presence = new MemoryPresence();
    await presence.add('probe-1', '/', 'v1');
    await presence.add('probe-2', '/', 'v2');
    expect(presence.siteCount).toBe(2);
    expect(presence.roomCount()).toBe(2);
    await presence.remove('probe-1', '/', 'v1');
    await presence.remove('probe-2', '/', 'v2');
    expect(presence.siteCount).toBe(0);
    expect(presence.roomCount()).toBe(0);
  });
});

describe('start-up failure', () => {
  it('closes what it opened when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = await makeTempDir();
    await expect(
      startServer(defineConfig({ port, host: '127.0.0.1', dataDir, logLevel: 'silent' }), {
        logger: createLogger('silent'),
      }),
    ).rejects.toThrow(/EADDRINUSE/);
    blocker.close();
    // The database was closed (its write-ahead log folded back and removed), not left open.
    expect(existsSync(join(dataDir, 'history.sqlite'))).toBe(true);
    expect(existsSync(join(dataDir, 'history.sqlite-wal'))).toBe(false);
  });
});
