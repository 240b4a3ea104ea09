/**
 * Abuse and robustness (PROTOCOL.md `rate_limited`, "Every request takes an acknowledgement
 * callback"): floods are answered with `rate_limited` and `retryAfterMs`, and nothing a client
 * sends (floods, missing callbacks, oversized frames) crashes or stalls the server for others.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../backend/protocol.js';
import { expectFailure } from '../helpers/assertions.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect, rawEmit, type AckOf, type TestClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

afterEach(cleanup);

/** The server still serves HTTP and new visitors can chat. */
async function expectServerHealthy(server: TestServer): Promise<void> {
  const res = await fetch(`${server.url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
  const x = await connect(server.url, 'acme');
  const y = await connect(server.url, 'acme');
  await x.join('/health-check');
  await y.join('/health-check');
  const ack = await x.request('message:send', { text: 'still alive' });
  expect(ack).toMatchObject({ ok: true });
  expect(await y.next('message')).toMatchObject({ text: 'still alive' });
}

function flood(client: TestClient, n: number): Promise<AckOf<'message:send'>[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      client.request('message:send', { text: `flood ${i}` }, 10_000),
    ),
  );
}

describe('rate limits', () => {
  it('answer rate_limited with retryAfterMs beyond the default burst of 10 messages', async () => {
    const server = await startTestServer();
    const [a, b] = [await connect(server.url, 'acme'), await connect(server.url, 'acme')];
    await a.join('/room');
    await b.join('/room');
    const acks = await flood(a, 30);
    const accepted = acks.filter((ack) => ack.ok);
    const refused = acks.filter((ack) => !ack.ok);
    // The burst goes through in order; the rest is refused (a refill during the flood may add one).
    for (const ack of acks.slice(0, 10)) expect(ack).toMatchObject({ ok: true });
    expect(accepted.length).toBeGreaterThanOrEqual(10);
    expect(accepted.length).toBeLessThanOrEqual(12);
    expect(refused.length).toBeGreaterThan(0);
    for (const ack of refused) expectFailure(ack, 'rate_limited');

    // The room saw exactly the accepted messages: sentinel from another visitor comes right after.
    const sentinel = await b.request('message:send', { text: 'sentinel' });
    expect(sentinel).toMatchObject({ ok: true });
    const seen: Message[] = [];
    for (;;) {
      const m = await a.next('message');
      if (m.visitor.id === b.id) break;
      seen.push(m);
    }
    expect(seen).toEqual([]);
    const bSaw: Message[] = [];
    while (bSaw.length < accepted.length) bSaw.push(await b.next('message'));
    expect(bSaw).toEqual(accepted.map((ack) => (ack.ok ? ack.message : undefined)));
  });

  it('limit each visitor separately: a flooder does not silence the room', async () => {
    const server = await startTestServer();
    const flooder = await connect(server.url, 'acme');
    const other = await connect(server.url, 'acme');
    await flooder.join('/room');
    await other.join('/room');
    const acks = await flood(flooder, 15);
    expect(acks.some((ack) => !ack.ok)).toBe(true);
    expect(await other.request('message:send', { text: 'I can still talk' })).toMatchObject({
      ok: true,
    });
  });

  it('follow the configured message rate and tell when to retry', async () => {
    const server = await startTestServer({ messageRate: { burst: 2, perSecond: 0.5 } });
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    expect(await a.request('message:send', { text: 'one' })).toMatchObject({ ok: true });
    expect(await a.request('message:send', { text: 'two' })).toMatchObject({ ok: true });
    const third = await a.request('message:send', { text: 'three' });
    expectFailure(third, 'rate_limited');
    // At half a message per second, the next one is about two seconds away.
    if (!third.ok) {
      expect(third.error.retryAfterMs).toBeGreaterThan(1000);
      expect(third.error.retryAfterMs).toBeLessThanOrEqual(2000);
    }
  });

  it('apply to renames too', async () => {
    const server = await startTestServer({ renameRate: { burst: 2, perSecond: 0.01 } });
    const a = await connect(server.url, 'acme');
    expect(await a.request('name:set', { name: 'One' })).toMatchObject({ ok: true });
    expect(await a.request('name:set', { name: 'Two' })).toMatchObject({ ok: true });
    expectFailure(await a.request('name:set', { name: 'Three' }), 'rate_limited');
  });

  it('apply to joins, and a refused join leaves the socket where it was', async () => {
    const server = await startTestServer({ joinRate: { burst: 3, perSecond: 0.01 } });
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await b.join('/three');
    for (const room of ['/one', '/two', '/three']) await a.join(room);
    expectFailure(await a.request('join', { room: '/four' }), 'rate_limited');
    const ack = await a.request('message:send', { text: 'still in /three' });
    expect(ack).toMatchObject({ ok: true, message: { room: '/three' } });
    expect(await b.next('message')).toMatchObject({ text: 'still in /three' });
  });

  it('a flood of thousands of requests neither crashes nor stalls the server', async () => {
    const server = await startTestServer();
    const flooders = await Promise.all(
      Array.from({ length: 4 }, () => connect(server.url, 'acme')),
    );
    await Promise.all(flooders.map((f) => f.join('/flooded')));
    const all = await Promise.all(flooders.map((f) => flood(f, 500)));
    for (const acks of all) {
      expect(acks.filter((ack) => ack.ok).length).toBeLessThanOrEqual(12);
      expect(acks.every((ack) => ack.ok || ack.error.code === 'rate_limited')).toBe(true);
    }
    // Junk without callbacks on top.
    for (const f of flooders) {
      for (let i = 0; i < 200; i++) rawEmit(f.socket, 'message:send', { text: i });
    }
    await expectServerHealthy(server);
  });
});

describe('requests without an acknowledgement callback', () => {
  it.each<[string, unknown[]]>([
    ['join', [{ room: '/room' }]],
    ['join', [{ room: '' }]],
    ['leave', [{}]],
    ['message:send', [{ text: 'no callback' }]],
    ['message:send', [{ text: '' }]],
    ['name:set', [{ name: 'NoCallback' }]],
    ['name:set', [null]],
    ['join', []],
    ['an-unknown-event', [{ x: 1 }]],
  ])('%s %j does not crash the server', async (event, args) => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    await a.join('/start');
    rawEmit(a.socket, event, ...args);
    // The same connection is still served, and so is everyone else.
    expect(await a.request('name:set', { name: 'Still Here' })).toMatchObject({ ok: true });
    await expectServerHealthy(server);
  });

  it('an unknown event with a callback does not crash the server', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    rawEmit(a.socket, 'admin:delete-everything', { all: true }, () => undefined);
    expect(await a.request('name:set', { name: 'Still Here' })).toMatchObject({ ok: true });
  });
});

describe('oversized frames', () => {
  it.each<['websocket' | 'polling']>([['websocket'], ['polling']])(
    'a 2 MB message over %s drops that connection, and the server carries on',
    async (transport) => {
      const server = await startTestServer();
      const a = await connect(server.url, 'acme', { transports: [transport] });
      const b = await connect(server.url, 'acme');
      await a.join('/room');
      await b.join('/room');
      const dropped = a.disconnected(10_000);
      rawEmit(a.socket, 'message:send', { text: 'x'.repeat(2 * 1024 * 1024) }, () => undefined);
      await dropped;
      // Nobody received the huge message; B sees A leave.
      expect(await b.next('left')).toMatchObject({ room: '/room', visitor: a.visitor, count: 1 });
      expect(b.received('message')).toEqual([]);
      await expectServerHealthy(server);
    },
  );
});
