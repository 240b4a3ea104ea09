/**
 * The error codes no client can trigger alone (PROTOCOL.md `origin_not_allowed`, `banned`,
 * `internal`, and `retryAfterMs` meaning "when to retry"), through the seams the composition root
 * offers: a site policy, a message store, and a clock. Everything else is the real server.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../backend/protocol.js';
import type { SitePolicy } from '../../backend/realtime.js';
import { openSqliteStore } from '../../backend/store/sqlite.js';
import type { MessageStore } from '../../backend/store/types.js';
import { expectFailure } from '../helpers/assertions.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect, connectRefused, RoomCount, type RefusedConnection } from '../helpers/client.js';
import { makeTempDir, startTestServer } from '../helpers/server.js';

afterEach(cleanup);

const GOOD_ORIGIN = 'https://customer.example';
const BAD_ORIGIN = 'https://copycat.example';

function expectRefusal(refusal: RefusedConnection, code: string): void {
  expect(refusal.message).toBe(code);
  expect(refusal.data).toEqual({ code, message: expect.stringMatching(/\S/) });
}

/** A policy that serves every site, lets only GOOD_ORIGIN embed `acme`, and bans `banned`. */
function policy(banned: Set<string>): SitePolicy {
  return {
    serves: () => true,
    originAllowed: (site, origin) =>
      site !== 'acme' || origin === undefined || origin === GOOD_ORIGIN,
    isBanned: (_site, visitorId) => banned.has(visitorId),
  };
}

describe('origin_not_allowed', () => {
  it.each<['websocket' | 'polling']>([['websocket'], ['polling']])(
    'refuses a page on a disallowed origin over %s, and accepts an allowed one',
    async (transport) => {
      const server = await startTestServer({}, { policy: policy(new Set()) });
      const refusal = await connectRefused(server.url, 'acme', {
        transports: [transport],
        extraHeaders: { Origin: BAD_ORIGIN },
      });
      expectRefusal(refusal, 'origin_not_allowed');
      const ok = await connect(server.url, 'acme', {
        transports: [transport],
        extraHeaders: { Origin: GOOD_ORIGIN },
      });
      expect(await ok.join('/')).toMatchObject({ ok: true });
      // The policy is per site: the same origin may embed another site.
      const other = await connect(server.url, 'globex', {
        transports: [transport],
        extraHeaders: { Origin: BAD_ORIGIN },
      });
      expect(await other.join('/')).toMatchObject({ ok: true });
    },
  );
});

describe('banned', () => {
  it('refuses a banned visitor who comes back with their token', async () => {
    const banned = new Set<string>();
    const server = await startTestServer({}, { policy: policy(banned) });
    const troll = await connect(server.url, 'acme');
    banned.add(troll.id);
    expectRefusal(
      await connectRefused(server.url, 'acme', { auth: { token: troll.session.token } }),
      'banned',
    );
  });

  it('answers banned to a visitor banned while connected, and the room sees nothing', async () => {
    const banned = new Set<string>();
    const server = await startTestServer({}, { policy: policy(banned) });
    const troll = await connect(server.url, 'acme');
    const other = await connect(server.url, 'acme');
    await troll.join('/room');
    await other.join('/room');
    banned.add(troll.id);
    expectFailure(await troll.request('message:send', { text: 'spam' }), 'banned');
    // Sentinel: the other visitor's first message is a legitimate one.
    const fine = await connect(server.url, 'acme');
    await fine.join('/room');
    const ack = await fine.request('message:send', { text: 'hello' });
    expect(await other.next('message')).toEqual(ack.ok ? ack.message : undefined);
  });
});

describe('internal', () => {
  it('answers internal when the store fails, broadcasts nothing, and recovers', async () => {
    const dataDir = await makeTempDir();
    const real = openSqliteStore({ file: join(dataDir, 'history.sqlite'), retention: 1000 });
    let failing = true;
    const store: MessageStore = {
      append: (site, message, nonce) =>
        failing ? Promise.reject(new Error('disk full')) : real.append(site, message, nonce),
      findByNonce: (site, visitorId, nonce) => real.findByNonce(site, visitorId, nonce),
      recent: (site, room, limit) => real.recent(site, room, limit),
      close: () => real.close(),
    };
    const server = await startTestServer({ dataDir }, { store });
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    expectFailure(await a.request('message:send', { text: 'lost', nonce: 'n1' }), 'internal');
    // "the request may be retried": the same request, with the same nonce, succeeds once storage is back.
    failing = false;
    const retry = await a.request('message:send', { text: 'lost', nonce: 'n1' });
    expect(retry).toMatchObject({ ok: true, message: { text: 'lost' } });
    expect(await b.next('message')).toEqual(retry.ok ? retry.message : undefined);
    const newcomer = await connect(server.url, 'acme');
    expect((await newcomer.join('/room')).history).toEqual([retry.ok ? retry.message : undefined]);
  });
});

describe('internal on join', () => {
  it('leaves the room consistent: the others converge on the count the server reports', async () => {
    const dataDir = await makeTempDir();
    const real = openSqliteStore({ file: join(dataDir, 'history.sqlite'), retention: 1000 });
    let failing = false;
    const store: MessageStore = {
      append: (site, message, nonce) => real.append(site, message, nonce),
      findByNonce: (site, visitorId, nonce) => real.findByNonce(site, visitorId, nonce),
      recent: (site, room, limit) =>
        failing ? Promise.reject(new Error('disk error')) : real.recent(site, room, limit),
      close: () => real.close(),
    };
    const server = await startTestServer({ dataDir }, { store });
    const resident = await connect(server.url, 'acme');
    const seen = new RoomCount(resident, '/room');
    await seen.join();
    failing = true;
    const newcomer = await connect(server.url, 'acme');
    expectFailure(await newcomer.request('join', { room: '/room' }), 'internal');
    const res = await fetch(`${server.url}/api/v1/sites/acme/presence?room=%2Froom`);
    const { count } = (await res.json()) as { count: number };
    // Whatever the failed join left behind, the room's own view must agree with the server's.
    await seen.until(count, LIMITS.presenceConvergeMs + 1500);
    // And the retry the code invites works.
    failing = false;
    expect(await newcomer.request('join', { room: '/room' })).toMatchObject({ ok: true, count: 2 });
    await seen.until(2, LIMITS.presenceConvergeMs + 1500);
  });
});

describe('retryAfterMs', () => {
  it('is long enough: a retry after that long succeeds, an earlier one does not', async () => {
    let offset = 0;
    const clock = (): number => Date.now() + offset;
    const server = await startTestServer({ messageRate: { burst: 1, perSecond: 0.1 } }, { clock });
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    expect(await a.request('message:send', { text: 'one' })).toMatchObject({ ok: true });
    const refused = await a.request('message:send', { text: 'two' });
    expectFailure(refused, 'rate_limited');
    const wait = refused.ok ? 0 : (refused.error.retryAfterMs ?? 0);
    expect(wait).toBeGreaterThan(9000);
    expect(wait).toBeLessThanOrEqual(10_000);

    offset += wait / 2;
    expectFailure(await a.request('message:send', { text: 'too early' }), 'rate_limited');
    offset += wait;
    expect(await a.request('message:send', { text: 'two' })).toMatchObject({ ok: true });
  });
});
