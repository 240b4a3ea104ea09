/**
 * Messages (PROTOCOL.md `message:send`, `message`, history, nonces): who receives what a visitor
 * writes, what is refused and with which code, and how a retry with the same nonce is answered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../backend/protocol.js';
import { expectFailure, expectMessage } from '../helpers/assertions.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect, rawEmitAck, type TestClient } from '../helpers/client.js';
import { MANY_MESSAGES, startTestServer } from '../helpers/server.js';

afterEach(cleanup);

/** Sends and returns the stored message; fails the test with the error if refused. */
async function send(client: TestClient, text: string, nonce?: string): Promise<Message> {
  const ack = await client.request(
    'message:send',
    nonce === undefined ? { text } : { text, nonce },
  );
  if (!ack.ok)
    throw new Error(`message:send ${JSON.stringify(text)} failed: ${JSON.stringify(ack)}`);
  return ack.message;
}

describe('message:send', () => {
  it('answers with the stored message: id, room, visitor, trimmed text and timestamp', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme', { auth: { name: 'Alice' } });
    await a.join('/room');
    const before = Date.now();
    const ack = await a.request('message:send', { text: '  hello, world \n' });
    const after = Date.now();
    expect(Object.keys(ack).sort()).toEqual(['message', 'ok']);
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expectMessage(
      ack.message,
      { room: '/room', visitor: { id: a.id, name: 'Alice' }, text: 'hello, world' },
      { from: before, to: after },
    );
  });

  it('gives every message its own id', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await send(a, 'same text')).id);
    expect(ids.size).toBe(5);
  });

  it("reaches every socket in the room except the sender's, including the sender's other tab", async () => {
    const server = await startTestServer();
    const a1 = await connect(server.url, 'acme');
    const a2 = await connect(server.url, 'acme', { auth: { token: a1.session.token } });
    const b = await connect(server.url, 'acme');
    for (const c of [a1, a2, b]) await c.join('/room');

    const message = await send(a1, 'hi all');
    expect(await a2.next('message')).toEqual(message);
    expect(await b.next('message')).toEqual(message);
    // Sentinel: the first message the sending socket receives is B's reply, not its own.
    const reply = await send(b, 'hi A');
    expect(await a1.next('message')).toEqual(reply);
    expect(await a2.next('message')).toEqual(reply);
  });

  it('does not reach other rooms, or the same room key on another site', async () => {
    const server = await startTestServer();
    const sender = await connect(server.url, 'acme');
    const otherRoom = await connect(server.url, 'acme');
    const otherSite = await connect(server.url, 'globex');
    await sender.join('/room');
    await otherRoom.join('/elsewhere');
    await otherSite.join('/room');

    await send(sender, 'only for acme /room');
    // Sentinels: each listener's first message is one from its own room.
    const local1 = await connect(server.url, 'acme');
    await local1.join('/elsewhere');
    const local2 = await connect(server.url, 'globex');
    await local2.join('/room');
    const s1 = await send(local1, 'acme /elsewhere');
    const s2 = await send(local2, 'globex /room');
    expect(await otherRoom.next('message')).toEqual(s1);
    expect(await otherSite.next('message')).toEqual(s2);
  });

  it('keeps the text as plain text, byte for byte after trimming', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    const text = '<script>alert("x")</script> & <b>bold</b> &amp; \u00e9\u0301 🙂 line1\nline2';
    const message = await send(a, text);
    expect(message.text).toBe(text);
    expect((await b.next('message')).text).toBe(text);
  });

  it('answers not_joined before a join and after a leave', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    expectFailure(await a.request('message:send', { text: 'hello?' }), 'not_joined');
    await a.join('/room');
    await a.request('leave', {});
    expectFailure(await a.request('message:send', { text: 'hello?' }), 'not_joined');
  });

  it.each<[string, unknown[]]>([
    ['an empty text', [{ text: '' }]],
    ['a whitespace-only text', [{ text: ' \n\t ' }]],
    ['a numeric text', [{ text: 42 }]],
    ['a null text', [{ text: null }]],
    ['no text field', [{}]],
    ['a numeric nonce', [{ text: 'hi', nonce: 5 }]],
    ['a 65-character nonce', [{ text: 'hi', nonce: 'n'.repeat(65) }]],
    ['a null payload', [null]],
    ['a string payload', ['hi']],
    ['a number payload', [1]],
    ['an array payload', [[{ text: 'hi' }]]],
    ['no payload at all', []],
  ])('answers invalid_payload to %s and stores nothing', async (_, args) => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    expectFailure(await rawEmitAck(a.socket, 'message:send', args), 'invalid_payload');
    // Sentinel: B's first message is a valid one sent afterwards.
    const valid = await send(a, 'valid');
    expect(await b.next('message')).toEqual(valid);
    const newcomer = await connect(server.url, 'acme');
    expect((await newcomer.join('/room')).history).toEqual([valid]);
  });

  it('accepts a nonce of exactly 64 characters', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    expect(await a.request('message:send', { text: 'hi', nonce: 'n'.repeat(64) })).toMatchObject({
      ok: true,
    });
  });

  it('answers too_long above 2000 characters and accepts exactly 2000', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    expectFailure(await a.request('message:send', { text: 'x'.repeat(2001) }), 'too_long');
    const max = 'x'.repeat(2000);
    expect((await send(a, max)).text).toBe(max);
    // The limit applies after trimming.
    expect((await send(a, `  ${max}  `)).text).toBe(max);
  });

  it.each<['websocket' | 'polling']>([['websocket'], ['polling']])(
    'accepts 2000 four-byte characters over %s without dropping the connection',
    async (transport) => {
      const server = await startTestServer();
      const a = await connect(server.url, 'acme', { transports: [transport] });
      const b = await connect(server.url, 'acme');
      await a.join('/room');
      await b.join('/room');
      const text = '😀'.repeat(2000);
      const message = await send(a, text);
      expect(message.text).toBe(text);
      expect((await b.next('message')).text).toBe(text);
      expectFailure(await a.request('message:send', { text: `${text}😀` }), 'too_long');
    },
  );

  it('applies a configured text limit', async () => {
    const server = await startTestServer({ maxTextLength: 10 });
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    expectFailure(await a.request('message:send', { text: '12345678901' }), 'too_long');
    expect((await send(a, '1234567890')).text).toBe('1234567890');
  });

  it('carries the name the visitor set', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    expect(await a.request('name:set', { name: 'Alice' })).toMatchObject({ ok: true });
    const message = await send(a, 'it is me');
    expect(message.visitor).toEqual({ id: a.id, name: 'Alice' });
    expect((await b.next('message')).visitor).toEqual({ id: a.id, name: 'Alice' });
  });
});

describe('nonce', () => {
  it('makes a retry return the original message and broadcast nothing new', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    const first = await send(a, 'exactly once', 'nonce-1');
    const retry = await send(a, 'exactly once', 'nonce-1');
    expect(retry).toEqual(first);
    // Sentinel: after the original, B's next message is a new one, not a copy of the retry.
    expect(await b.next('message')).toEqual(first);
    const later = await send(a, 'later');
    expect(await b.next('message')).toEqual(later);
    const newcomer = await connect(server.url, 'acme');
    expect((await newcomer.join('/room')).history).toEqual([first, later]);
  });

  it('dedupes a retry sent before the first ack arrived', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    const [one, two, three] = await Promise.all([
      send(a, 'impatient', 'same-nonce'),
      send(a, 'impatient', 'same-nonce'),
      send(a, 'impatient', 'same-nonce'),
    ]);
    expect(two).toEqual(one);
    expect(three).toEqual(one);
    expect(await b.next('message')).toEqual(one);
    const sentinel = await send(a, 'sentinel');
    expect(await b.next('message')).toEqual(sentinel);
  });

  it("also dedupes a retry from the same visitor's other tab", async () => {
    const server = await startTestServer();
    const a1 = await connect(server.url, 'acme');
    const a2 = await connect(server.url, 'acme', { auth: { token: a1.session.token } });
    await a1.join('/room');
    await a2.join('/room');
    const first = await send(a1, 'from tab one', 'shared-nonce');
    expect(await send(a2, 'from tab one', 'shared-nonce')).toEqual(first);
  });

  it('is per visitor: the same nonce from two visitors makes two messages', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    const fromA = await send(a, 'hello', 'same');
    const fromB = await send(b, 'hello', 'same');
    expect(fromB.id).not.toBe(fromA.id);
    expect(fromB.visitor.id).toBe(b.id);
    expect(await a.next('message')).toEqual(fromB);
  });

  it('without a nonce, the same text twice makes two messages', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    const one = await send(a, 'again');
    const two = await send(a, 'again');
    expect(two.id).not.toBe(one.id);
  });
});

describe('history', () => {
  it('holds the most recent 50 messages, oldest first', async () => {
    const server = await startTestServer(MANY_MESSAGES);
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    const sent: Message[] = [];
    for (let i = 1; i <= 55; i++) sent.push(await send(a, `message ${i}`));
    const b = await connect(server.url, 'acme');
    const ack = await b.join('/room');
    expect(ack.history).toHaveLength(50);
    expect(ack.history).toEqual(sent.slice(5));
  });

  it('is per room and per site', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    await a.join('/one');
    const inOne = await send(a, 'in /one');
    await a.join('/two');
    const inTwo = await send(a, 'in /two');
    const b = await connect(server.url, 'acme');
    expect((await b.join('/one')).history).toEqual([inOne]);
    expect((await b.join('/two')).history).toEqual([inTwo]);
    const onOtherSite = await connect(server.url, 'globex');
    expect((await onOtherSite.join('/one')).history).toEqual([]);
  });

  it('is sent again to a visitor who comes back', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    const message = await send(a, 'remember me');
    await a.request('leave', {});
    expect((await a.join('/room')).history).toEqual([message]);
  });
});
