/**
 * Handshake and identity (PROTOCOL.md "Handshake", "Server to client: session"): the first event a
 * client receives, the visitor id and token it keeps, the display name it asks for, and what
 * happens to tokens that are forged, malformed, oversized or issued for another site or server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionPayload } from '../../backend/protocol.js';
import { VISITOR_ID, expectValidName } from '../helpers/assertions.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect } from '../helpers/client.js';
import { startTestServer } from '../helpers/server.js';

afterEach(cleanup);

const SECRET_A = 'a'.repeat(32) + '-test-secret-one';
const SECRET_B = 'b'.repeat(32) + '-test-secret-two';

function expectSession(session: SessionPayload): void {
  expect(Object.keys(session).sort()).toEqual(['name', 'token', 'visitorId']);
  expect(session.visitorId).toMatch(VISITOR_ID);
  expect(typeof session.token).toBe('string');
  expect(session.token.length).toBeGreaterThan(0);
  expect(session.token.length).toBeLessThanOrEqual(256);
  expectValidName(session.name);
}

/** Flips one character in the middle of a token, keeping its length and alphabet. */
function tamper(token: string): string {
  const i = Math.floor(token.length / 2);
  const c = token[i] === 'A' ? 'B' : 'A';
  return token.slice(0, i) + c + token.slice(i + 1);
}

describe('session', () => {
  it('is the first event, sent once, with a nanoid visitor id, a short token and a default name', async () => {
    const server = await startTestServer();
    const client = await connect(server.url, 'acme');
    expectSession(client.session);
    // Nothing arrived before the session; a later request proves no second session follows.
    expect(client.events[0]?.event).toBe('session');
    await client.join('/');
    expect(await client.request('name:set', { name: 'Ada' })).toMatchObject({ ok: true });
    expect(client.received('session')).toHaveLength(1);
  });

  it('is also the first event over HTTP long-polling', async () => {
    const server = await startTestServer();
    const client = await connect(server.url, 'acme', { transports: ['polling'] });
    expectSession(client.session);
    expect(client.events[0]?.event).toBe('session');
    expect(client.socket.io.engine.transport.name).toBe('polling');
  });

  it('gives every new visitor a different id', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    expect(a.id).not.toBe(b.id);
  });

  it('uses the trimmed handshake name', async () => {
    const server = await startTestServer();
    const client = await connect(server.url, 'acme', { auth: { name: '  Ada Lovelace \t' } });
    expect(client.session.name).toBe('Ada Lovelace');
    const other = await connect(server.url, 'acme');
    await other.join('/about');
    await client.join('/about');
    expect((await other.next('joined')).visitor).toEqual({ id: client.id, name: 'Ada Lovelace' });
  });

  it.each([
    ['too long', 'x'.repeat(41)],
    ['empty', ''],
    ['whitespace only', '   '],
    ['with a control character', 'Ada\u0000'],
    ['with a newline', 'Ada\nLovelace'],
    ['not a string', 42],
    ['an object', { first: 'Ada' }],
  ])(
    'still connects with a handshake name that is %s, under a valid default name',
    async (_, name) => {
      const server = await startTestServer();
      const client = await connect(server.url, 'acme', { auth: { name } });
      expectSession(client.session);
      expect(client.session.name).not.toBe(name);
      // The connection works: requests are answered.
      expect(await client.join('/')).toMatchObject({ ok: true, count: 1 });
    },
  );

  it('accepts a handshake name of exactly 40 characters', async () => {
    const server = await startTestServer();
    const name = 'n'.repeat(40);
    const client = await connect(server.url, 'acme', { auth: { name } });
    expect(client.session.name).toBe(name);
  });
});

describe('visitor token', () => {
  it('keeps the visitor id across connections', async () => {
    const server = await startTestServer();
    const first = await connect(server.url, 'acme');
    first.close();
    const second = await connect(server.url, 'acme', { auth: { token: first.session.token } });
    expect(second.id).toBe(first.id);
    expectSession(second.session);
    const third = await connect(server.url, 'acme', { auth: { token: second.session.token } });
    expect(third.id).toBe(first.id);
  });

  it('uses the handshake name together with a kept token', async () => {
    const server = await startTestServer();
    const first = await connect(server.url, 'acme');
    const again = await connect(server.url, 'acme', {
      auth: { token: first.session.token, name: 'Grace' },
    });
    expect(again.id).toBe(first.id);
    expect(again.session.name).toBe('Grace');
  });

  it.each<[string, (token: string) => unknown]>([
    ['forged (one character changed)', tamper],
    ['truncated', (t) => t.slice(0, -1)],
    ['extended', (t) => `${t}x`],
    ['garbage', () => 'not-a-token'],
    ['empty', () => ''],
    ['oversized (300 characters)', (t) => t + 'A'.repeat(300 - t.length)],
    ['a number', () => 12345],
    ['an object', (t) => ({ token: t })],
    ['null', () => null],
  ])('silently gets a new visitor when the token is %s', async (_, mangle) => {
    const server = await startTestServer();
    const original = await connect(server.url, 'acme');
    const client = await connect(server.url, 'acme', {
      auth: { token: mangle(original.session.token) },
    });
    expectSession(client.session);
    expect(client.id).not.toBe(original.id);
    expect(await client.join('/')).toMatchObject({ ok: true });
  });

  it("does not let a visitor claim another visitor's id by splicing tokens", async () => {
    const server = await startTestServer();
    const alice = await connect(server.url, 'acme');
    const mallory = await connect(server.url, 'acme');
    // Alice's id with Mallory's signature, whatever the format: replace her id where it appears.
    const spliced = mallory.session.token.split(mallory.id).join(alice.id);
    const client = await connect(server.url, 'acme', { auth: { token: spliced } });
    expect(client.id).not.toBe(alice.id);
  });

  it('issued for one site gives a new, unrelated visitor on another site', async () => {
    const server = await startTestServer();
    const onA = await connect(server.url, 'site-a');
    const onB = await connect(server.url, 'site-b', { auth: { token: onA.session.token } });
    expect(onB.id).not.toBe(onA.id);
    // Site B's own token works on B and not on A.
    const backOnB = await connect(server.url, 'site-b', { auth: { token: onB.session.token } });
    expect(backOnB.id).toBe(onB.id);
    const bOnA = await connect(server.url, 'site-a', { auth: { token: onB.session.token } });
    expect(bOnA.id).not.toBe(onB.id);
    expect(bOnA.id).not.toBe(onA.id);
  });

  it('is scoped per site: one browser gets unrelated ids and tokens on two sites', async () => {
    const server = await startTestServer();
    const onA = await connect(server.url, 'site-a');
    const onB = await connect(server.url, 'site-b');
    expect(onA.id).not.toBe(onB.id);
    expect(onA.session.token).not.toBe(onB.session.token);
  });

  it('from a server with another secret gives a new visitor', async () => {
    const serverA = await startTestServer({ secret: SECRET_A });
    const serverB = await startTestServer({ secret: SECRET_B });
    const onA = await connect(serverA.url, 'acme');
    const onB = await connect(serverB.url, 'acme', { auth: { token: onA.session.token } });
    expect(onB.id).not.toBe(onA.id);
  });

  it('works on every server that shares the configured secret', async () => {
    const serverA = await startTestServer({ secret: SECRET_A });
    const serverB = await startTestServer({ secret: SECRET_A });
    const onA = await connect(serverA.url, 'acme');
    const onB = await connect(serverB.url, 'acme', { auth: { token: onA.session.token } });
    expect(onB.id).toBe(onA.id);
  });
});
