/**
 * Rooms and presence (PROTOCOL.md `join`, `leave`, `joined`, `left`, `presence`): what a visitor
 * sees when they join, when others arrive and leave, and how two tabs of one visitor count once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { expectFailure } from '../helpers/assertions.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect, rawEmitAck, RoomCount, type TestClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

afterEach(cleanup);

const WELCOME = 'Hello from the integration tests: be kind.';

/** A server with a short presence window so tests that wait for `presence` stay quick. */
function start(): Promise<TestServer> {
  return startTestServer({ welcome: WELCOME, presenceWindowMs: 100 });
}

/** A second socket of the same visitor (the same token), as a second browser tab would open. */
function secondTab(server: TestServer, client: TestClient): Promise<TestClient> {
  return connect(server.url, 'acme', { auth: { token: client.session.token } });
}

describe('join', () => {
  it('answers with the room, the count including the joiner, the welcome, empty history, limits and state', async () => {
    const server = await start();
    const client = await connect(server.url, 'acme');
    const ack = await client.request('join', { room: '/pricing' });
    expect(ack).toEqual({
      ok: true,
      room: '/pricing',
      count: 1,
      welcome: WELCOME,
      history: [],
      limits: { textMax: 2000, slowModeMs: 0 },
      readOnly: false,
    });
  });

  it('sends the default welcome when none is configured', async () => {
    const server = await startTestServer();
    const client = await connect(server.url, 'acme');
    const ack = await client.join('/');
    expect(typeof ack.welcome).toBe('string');
    expect(ack.welcome.trim().length).toBeGreaterThan(0);
  });

  it('trims the room key, so both spellings are one room', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    expect(await a.request('join', { room: '  /docs/intro \t' })).toMatchObject({
      ok: true,
      room: '/docs/intro',
      count: 1,
    });
    expect(await b.request('join', { room: '/docs/intro' })).toMatchObject({
      ok: true,
      room: '/docs/intro',
      count: 2,
    });
  });

  it('accepts any key of 1 to 256 characters, including URLs and non-ASCII text', async () => {
    const server = await start();
    const client = await connect(server.url, 'acme');
    for (const room of ['x', 'r'.repeat(256), 'https://example.com/a?b=c#d', '/café/日本語/🙂']) {
      expect(await client.request('join', { room })).toMatchObject({ ok: true, room, count: 1 });
    }
  });

  it.each<[string, unknown[]]>([
    ['an empty room', [{ room: '' }]],
    ['a whitespace-only room', [{ room: ' \t ' }]],
    ['a 257-character room', [{ room: 'r'.repeat(257) }]],
    ['a room with NUL', [{ room: '/a\u0000b' }]],
    ['a room with a newline', [{ room: '/a\nb' }]],
    ['a room with BEL', [{ room: '\u0007' }]],
    ['a room with DEL', [{ room: '/a\u007f' }]],
    ['a numeric room', [{ room: 42 }]],
    ['a null room', [{ room: null }]],
    ['an array room', [{ room: ['/a'] }]],
    ['no room field', [{}]],
    ['a null payload', [null]],
    ['a string payload', ['/pricing']],
    ['a number payload', [7]],
    ['an array payload', [[{ room: '/a' }]]],
    ['no payload at all', []],
  ])('answers invalid_payload to %s', async (_, args) => {
    const server = await start();
    const client = await connect(server.url, 'acme');
    expectFailure(await rawEmitAck(client.socket, 'join', args), 'invalid_payload');
    // The socket is in no room: sending needs a join first.
    expectFailure(await client.request('message:send', { text: 'hi' }), 'not_joined');
    // And the connection still works.
    expect(await client.join('/')).toMatchObject({ ok: true, count: 1 });
  });

  it('of another room leaves the previous one; its visitors see `left`', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/one');
    await b.join('/one');
    expect(await b.request('join', { room: '/two' })).toMatchObject({
      ok: true,
      room: '/two',
      count: 1,
    });
    expect(await a.next('left')).toEqual({ room: '/one', visitor: b.visitor, count: 1 });
    // B no longer receives what is said in /one.
    const c = await connect(server.url, 'acme');
    await c.join('/two');
    const sent = await a.request('message:send', { text: 'only for /one' });
    const sentinel = await c.request('message:send', { text: 'for /two' });
    expect(sent.ok && sentinel.ok).toBe(true);
    expect(await b.next('message')).toMatchObject({ room: '/two', text: 'for /two' });
  });

  it('of the room the socket is already in changes nothing', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/same');
    await b.join('/same');
    await a.next('joined');
    const again = await b.request('join', { room: '/same' });
    expect(again).toMatchObject({ ok: true, room: '/same', count: 2 });
    // Sentinel: the next `joined` A sees is C's, not a duplicate of B's; no `left` came between.
    const c = await connect(server.url, 'acme');
    await c.join('/same');
    expect(await a.next('joined')).toEqual({ room: '/same', visitor: c.visitor, count: 3 });
    expect(a.received('left')).toEqual([]);
  });
  it('treats room keys as case-sensitive and exact after trimming', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/About');
    expect(await b.request('join', { room: '/about' })).toMatchObject({ room: '/about', count: 1 });
    expect(await b.request('join', { room: '/About/' })).toMatchObject({
      room: '/About/',
      count: 1,
    });
  });

  it('ignores unknown extra fields, so newer clients keep working', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    expect(await rawEmitAck(a.socket, 'join', [{ room: '/x', since: 0 }])).toMatchObject({
      ok: true,
      room: '/x',
      count: 1,
    });
  });
});

describe('joined and left', () => {
  it('tell the others who arrived and left, with the new count', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme', { auth: { name: 'Alice' } });
    const b = await connect(server.url, 'acme', { auth: { name: 'Bob' } });
    await a.join('/room');
    expect(await b.request('join', { room: '/room' })).toMatchObject({ ok: true, count: 2 });
    expect(await a.next('joined')).toEqual({
      room: '/room',
      visitor: { id: b.id, name: 'Bob' },
      count: 2,
    });
    expect(await b.request('leave', {})).toEqual({ ok: true });
    expect(await a.next('left')).toEqual({
      room: '/room',
      visitor: { id: b.id, name: 'Bob' },
      count: 1,
    });
  });

  it('are not sent to the visitor who joined', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    // Sentinel: the first `joined` B receives is C's.
    const c = await connect(server.url, 'acme');
    await c.join('/room');
    expect(await b.next('joined')).toEqual({ room: '/room', visitor: c.visitor, count: 3 });
  });

  it('sends `left` when a visitor disconnects', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    b.close();
    expect(await a.next('left')).toEqual({ room: '/room', visitor: b.visitor, count: 1 });
  });

  it('are not sent to other rooms or other sites', async () => {
    const server = await start();
    const watcher = await connect(server.url, 'acme');
    await watcher.join('/other');
    const elsewhere = await connect(server.url, 'globex');
    await elsewhere.join('/room');
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    a.close();
    // Sentinel: the first `joined` each watcher sees is one in its own room.
    const s1 = await connect(server.url, 'acme');
    await s1.join('/other');
    const s2 = await connect(server.url, 'globex');
    await s2.join('/room');
    expect(await watcher.next('joined')).toMatchObject({ room: '/other', visitor: s1.visitor });
    expect(await elsewhere.next('joined')).toMatchObject({ room: '/room', visitor: s2.visitor });
    expect(watcher.received('left')).toEqual([]);
    expect(elsewhere.received('left')).toEqual([]);
  });

  it('carry the name the visitor set, on leaving too', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    await b.request('name:set', { name: 'Renamed Bob' });
    await a.next('renamed');
    b.close();
    expect(await a.next('left')).toEqual({
      room: '/room',
      visitor: { id: b.id, name: 'Renamed Bob' },
      count: 1,
    });
  });
});

describe('two tabs of one visitor', () => {
  it('count once; `joined` only for the first tab and `left` only after the last', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    const b1 = await connect(server.url, 'acme');
    const b2 = await secondTab(server, b1);
    expect(b2.id).toBe(b1.id);
    await a.join('/room');

    expect(await b1.request('join', { room: '/room' })).toMatchObject({ count: 2 });
    expect(await a.next('joined')).toEqual({ room: '/room', visitor: b1.visitor, count: 2 });
    expect(await b2.request('join', { room: '/room' })).toMatchObject({ count: 2 });

    // Sentinel: the next `joined` A sees is C's, with count 3 (B's second tab counted nothing).
    const c = await connect(server.url, 'acme');
    await c.join('/room');
    expect(await a.next('joined')).toEqual({ room: '/room', visitor: c.visitor, count: 3 });

    // B closes one tab: B is still there.
    b1.close();
    const d = await connect(server.url, 'acme');
    await d.join('/room');
    expect(await a.next('joined')).toEqual({ room: '/room', visitor: d.visitor, count: 4 });
    expect(a.received('left')).toEqual([]);

    // B leaves with the last tab: now A sees `left`.
    expect(await b2.request('leave', {})).toEqual({ ok: true });
    expect(await a.next('left')).toEqual({ room: '/room', visitor: b1.visitor, count: 3 });
  });

  it('moving one tab to another room keeps the visitor where their other tab is', async () => {
    const server = await start();
    const watchA = await connect(server.url, 'acme');
    const watchB = await connect(server.url, 'acme');
    await watchA.join('/a');
    await watchB.join('/b');
    const tab1 = await connect(server.url, 'acme');
    const tab2 = await secondTab(server, tab1);
    await tab1.join('/a');
    await tab2.join('/b');
    expect(await watchA.next('joined')).toEqual({ room: '/a', visitor: tab1.visitor, count: 2 });
    expect(await watchB.next('joined')).toEqual({ room: '/b', visitor: tab1.visitor, count: 2 });

    // Tab 2 follows tab 1 into /a: /b loses the visitor, /a gains nobody.
    expect(await tab2.request('join', { room: '/a' })).toMatchObject({ room: '/a', count: 2 });
    expect(await watchB.next('left')).toEqual({ room: '/b', visitor: tab1.visitor, count: 1 });
    // Tab 1 leaves /a: tab 2 is still there, so nobody leaves.
    await tab1.request('leave', {});
    const sentinel = await connect(server.url, 'acme');
    await sentinel.join('/a');
    expect(await watchA.next('joined')).toEqual({
      room: '/a',
      visitor: sentinel.visitor,
      count: 3,
    });
    expect(watchA.received('left')).toEqual([]);
  });

  it('are counted once by the presence API', async () => {
    const server = await start();
    const b1 = await connect(server.url, 'acme');
    const b2 = await secondTab(server, b1);
    await b1.join('/room');
    await b2.join('/room');
    const res = await fetch(`${server.url}/api/v1/sites/acme/presence?room=%2Froom`);
    expect(await res.json()).toEqual({ site: 'acme', room: '/room', count: 1 });
  });
});

describe('presence', () => {
  it('reaches everyone in the room with the new count', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    const aCount = new RoomCount(a, '/room');
    const bCount = new RoomCount(b, '/room');
    await aCount.join();
    await bCount.join();
    await Promise.all([
      a.next('presence', { filter: (p) => p.count === 2 }),
      aCount.until(2),
      bCount.until(2),
    ]);
    const c = await connect(server.url, 'acme');
    await c.join('/room');
    await Promise.all([aCount.until(3), bCount.until(3)]);
    expect(await a.next('presence', { filter: (p) => p.count === 3 })).toEqual({
      room: '/room',
      count: 3,
    });
    expect(await b.next('presence', { filter: (p) => p.count === 3 })).toEqual({
      room: '/room',
      count: 3,
    });
    c.close();
    expect(await a.next('presence', { filter: (p) => p.count === 2 })).toEqual({
      room: '/room',
      count: 2,
    });
    expect(await b.next('presence', { filter: (p) => p.count === 2 })).toEqual({
      room: '/room',
      count: 2,
    });
  });

  it('converges to the exact count after a burst of joins and leaves', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    const count = new RoomCount(a, '/burst');
    await count.join();
    const others = await Promise.all(Array.from({ length: 8 }, () => connect(server.url, 'acme')));
    await Promise.all(others.map((o) => o.join('/burst')));
    await count.until(9);
    for (const o of others.slice(0, 5)) o.close();
    await count.until(4);
    const res = await fetch(`${server.url}/api/v1/sites/acme/presence?room=%2Fburst`);
    expect(await res.json()).toEqual({ site: 'acme', room: '/burst', count: 4 });
  });

  it('is not sent to other rooms', async () => {
    const server = await start();
    const watcher = await connect(server.url, 'acme');
    await watcher.join('/quiet');
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/busy');
    await b.join('/busy');
    await a.next('presence', { filter: (p) => p.count === 2 });
    // Sentinel: a change in the watcher's own room is the first presence it hears about.
    const c = await connect(server.url, 'acme');
    await c.join('/quiet');
    expect(await watcher.next('presence', { filter: (p) => p.count === 2 })).toEqual({
      room: '/quiet',
      count: 2,
    });
    expect(watcher.received('presence').every((p) => p.room === '/quiet')).toBe(true);
  });
});

describe('leave', () => {
  it('answers { ok: true } and takes the socket out of the room', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    expect(await a.request('leave', {})).toEqual({ ok: true });
    expectFailure(await a.request('message:send', { text: 'hello?' }), 'not_joined');
    // Rejoining works and the room is empty but for the rejoiner.
    expect(await a.request('join', { room: '/room' })).toMatchObject({ ok: true, count: 1 });
  });

  it('answers { ok: true } without a room', async () => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    expect(await a.request('leave', {})).toEqual({ ok: true });
    await a.join('/room');
    await a.request('leave', {});
    expect(await a.request('leave', {})).toEqual({ ok: true });
  });

  it.each<[string, unknown]>([
    ['a number', 5],
    ['a string', 'leave'],
    ['an array', []],
  ])('answers invalid_payload when the payload is %s', async (_, payload) => {
    const server = await start();
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    expectFailure(await rawEmitAck(a.socket, 'leave', [payload]), 'invalid_payload');
  });
});
