/**
 * Restarts (DESIGN.md "Identity", "Storage"): a server started again on the same data folder keeps
 * every visitor's identity and every room's history, with a configured secret and with the one it
 * generated itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { connect } from '../helpers/client.js';
import { makeTempDir, startTestServer } from '../helpers/server.js';

afterEach(cleanup);

const SECRET = 's'.repeat(40);

describe('restart on the same data folder', () => {
  it.each([
    ['a generated secret', undefined],
    ['a configured secret', SECRET],
  ])('keeps identity and history with %s', async (_, secret) => {
    const dataDir = await makeTempDir();
    const first = await startTestServer({ dataDir, secret });
    const alice = await connect(first.url, 'acme', { auth: { name: 'Alice' } });
    await alice.join('/room');
    const ack = await alice.request('message:send', { text: 'before the restart' });
    if (!ack.ok) throw new Error(`send failed: ${JSON.stringify(ack)}`);
    const { token, visitorId } = alice.session;
    const disconnected = alice.disconnected();
    await first.close();
    await disconnected;

    const second = await startTestServer({ dataDir, secret });
    const back = await connect(second.url, 'acme', { auth: { token } });
    expect(back.id).toBe(visitorId);
    const join = await back.join('/room');
    expect(join.history).toEqual([ack.message]);
    // A new message lands after the old one.
    const after = await back.request('message:send', { text: 'after the restart' });
    if (!after.ok) throw new Error(`send failed: ${JSON.stringify(after)}`);
    expect(after.message.id).not.toBe(ack.message.id);
    const newcomer = await connect(second.url, 'acme');
    expect((await newcomer.join('/room')).history).toEqual([ack.message, after.message]);
  });

  it('remembers a nonce across the restart, so a retry is still deduplicated', async () => {
    const dataDir = await makeTempDir();
    const first = await startTestServer({ dataDir });
    const a = await connect(first.url, 'acme');
    await a.join('/room');
    const original = await a.request('message:send', { text: 'once', nonce: 'retry-me' });
    await first.close();

    const second = await startTestServer({ dataDir });
    const again = await connect(second.url, 'acme', { auth: { token: a.session.token } });
    await again.join('/room');
    const retry = await again.request('message:send', { text: 'once', nonce: 'retry-me' });
    expect(retry).toEqual(original);
    const newcomer = await connect(second.url, 'acme');
    expect((await newcomer.join('/room')).history).toHaveLength(1);
  });

  it('with a different secret, old tokens give new visitors but history stays', async () => {
    const dataDir = await makeTempDir();
    const first = await startTestServer({ dataDir, secret: SECRET });
    const a = await connect(first.url, 'acme');
    await a.join('/room');
    const sent = await a.request('message:send', { text: 'kept' });
    await first.close();

    const second = await startTestServer({ dataDir, secret: 't'.repeat(40) });
    const back = await connect(second.url, 'acme', { auth: { token: a.session.token } });
    expect(back.id).not.toBe(a.id);
    const join = await back.join('/room');
    expect(join.history).toEqual([sent.ok ? sent.message : undefined]);
  });

  it('a fresh data folder starts with no history and rejects old tokens', async () => {
    const first = await startTestServer();
    const a = await connect(first.url, 'acme');
    await a.join('/room');
    await a.request('message:send', { text: 'only in the first folder' });
    const second = await startTestServer();
    const b = await connect(second.url, 'acme', { auth: { token: a.session.token } });
    expect(b.id).not.toBe(a.id);
    expect((await b.join('/room')).history).toEqual([]);
  });
});
