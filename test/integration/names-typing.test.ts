/**
 * Display names and typing notices (PROTOCOL.md `name:set`, `renamed`, `typing`): what the others
 * in a room see when a visitor renames themself or types, and which requests are refused or ignored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { expectFailure } from '../helpers/assertions.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect, rawEmit, rawEmitAck, type TestClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

afterEach(cleanup);

async function pair(server: TestServer, room = '/room'): Promise<[TestClient, TestClient]> {
  const a = await connect(server.url, 'acme');
  const b = await connect(server.url, 'acme');
  await a.join(room);
  await b.join(room);
  return [a, b];
}

describe('name:set', () => {
  it('answers with the visitor and tells the others in the room', async () => {
    const server = await startTestServer();
    const [a, b] = await pair(server);
    expect(await a.request('name:set', { name: '  Alice  ' })).toEqual({
      ok: true,
      visitor: { id: a.id, name: 'Alice' },
    });
    expect(await b.next('renamed')).toEqual({
      room: '/room',
      visitor: { id: a.id, name: 'Alice' },
    });
  });

  it('does not send `renamed` to the visitor who renamed', async () => {
    const server = await startTestServer();
    const [a, b] = await pair(server);
    await a.request('name:set', { name: 'Alice' });
    // Sentinel: the first `renamed` A receives is B's.
    await b.request('name:set', { name: 'Bob' });
    expect(await a.next('renamed')).toEqual({ room: '/room', visitor: { id: b.id, name: 'Bob' } });
  });

  it('does not reach other rooms or sites', async () => {
    const server = await startTestServer();
    const [a] = await pair(server, '/one');
    const [c, d] = await pair(server, '/two');
    const e = await connect(server.url, 'globex');
    const f = await connect(server.url, 'globex');
    await e.join('/one');
    await f.join('/one');
    await a.request('name:set', { name: 'Alice' });
    // Sentinels: renames in their own rooms are the first each listener hears.
    await d.request('name:set', { name: 'Dora' });
    await f.request('name:set', { name: 'Fred' });
    expect(await c.next('renamed')).toEqual({ room: '/two', visitor: { id: d.id, name: 'Dora' } });
    expect(await e.next('renamed')).toEqual({ room: '/one', visitor: { id: f.id, name: 'Fred' } });
  });

  it('works before joining, and the room sees the new name on arrival', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await b.join('/room');
    expect(await a.request('name:set', { name: 'Early Bird' })).toEqual({
      ok: true,
      visitor: { id: a.id, name: 'Early Bird' },
    });
    await a.join('/room');
    expect(await b.next('joined')).toEqual({
      room: '/room',
      visitor: { id: a.id, name: 'Early Bird' },
      count: 2,
    });
  });

  it('is carried by later messages, in acks, broadcasts and history', async () => {
    const server = await startTestServer();
    const [a, b] = await pair(server);
    await a.request('name:set', { name: 'Alice' });
    const ack = await a.request('message:send', { text: 'hello' });
    expect(ack).toMatchObject({ ok: true, message: { visitor: { id: a.id, name: 'Alice' } } });
    expect((await b.next('message')).visitor).toEqual({ id: a.id, name: 'Alice' });
    const c = await connect(server.url, 'acme');
    const history = (await c.join('/room')).history;
    expect(history.map((m) => m.visitor)).toEqual([{ id: a.id, name: 'Alice' }]);
  });

  it('accepts exactly 40 characters and answers too_long to 41', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    expectFailure(await a.request('name:set', { name: 'n'.repeat(41) }), 'too_long');
    expect(await a.request('name:set', { name: 'n'.repeat(40) })).toEqual({
      ok: true,
      visitor: { id: a.id, name: 'n'.repeat(40) },
    });
    // The limit applies after trimming.
    expect(await a.request('name:set', { name: ` ${'m'.repeat(40)} ` })).toMatchObject({
      ok: true,
    });
  });

  it.each<[string, unknown[]]>([
    ['an empty name', [{ name: '' }]],
    ['a whitespace-only name', [{ name: '   ' }]],
    ['a name with NUL', [{ name: 'Ada\u0000' }]],
    ['a name with a newline', [{ name: 'Ada\nLovelace' }]],
    ['a name with a tab inside', [{ name: 'Ada\tLovelace' }]],
    ['a name with ESC', [{ name: '\u001b[31mred' }]],
    ['a numeric name', [{ name: 42 }]],
    ['no name field', [{}]],
    ['a null payload', [null]],
    ['a string payload', ['Alice']],
    ['a number payload', [3]],
    ['an array payload', [[{ name: 'Alice' }]]],
    ['no payload at all', []],
  ])('answers invalid_payload to %s and keeps the old name', async (_, args) => {
    const server = await startTestServer();
    const [a, b] = await pair(server);
    await a.request('name:set', { name: 'Alice' });
    expectFailure(await rawEmitAck(a.socket, 'name:set', args), 'invalid_payload');
    const ack = await a.request('message:send', { text: 'still me' });
    expect(ack).toMatchObject({ ok: true, message: { visitor: { id: a.id, name: 'Alice' } } });
    // Sentinel: B saw exactly one rename, then the message.
    expect(await b.next('message')).toMatchObject({ text: 'still me' });
    expect(b.received('renamed')).toEqual([
      { room: '/room', visitor: { id: a.id, name: 'Alice' } },
    ]);
  });
});

describe('typing', () => {
  it('tells the others when a visitor starts and stops typing', async () => {
    const server = await startTestServer();
    const [a, b] = await pair(server);
    a.socket.emit('typing', { typing: true });
    expect(await b.next('typing')).toEqual({ room: '/room', visitor: a.visitor, typing: true });
    a.socket.emit('typing', { typing: false });
    expect(await b.next('typing')).toEqual({ room: '/room', visitor: a.visitor, typing: false });
  });

  it('is not echoed to the typist, nor sent to other rooms', async () => {
    const server = await startTestServer();
    const [a, b] = await pair(server);
    const [c, d] = await pair(server, '/elsewhere');
    a.socket.emit('typing', { typing: true });
    await b.next('typing');
    // Sentinels: the first typing notice A and C get comes from their own room's others.
    b.socket.emit('typing', { typing: true });
    d.socket.emit('typing', { typing: true });
    expect(await a.next('typing')).toEqual({ room: '/room', visitor: b.visitor, typing: true });
    expect(await c.next('typing')).toEqual({
      room: '/elsewhere',
      visitor: d.visitor,
      typing: true,
    });
  });

  it('carries the current name', async () => {
    const server = await startTestServer();
    const [a, b] = await pair(server);
    await a.request('name:set', { name: 'Alice' });
    a.socket.emit('typing', { typing: true });
    expect(await b.next('typing')).toEqual({
      room: '/room',
      visitor: { id: a.id, name: 'Alice' },
      typing: true,
    });
  });

  it('is ignored before a join, and the connection keeps working', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await b.join('/room');
    a.socket.emit('typing', { typing: true });
    expect(await a.request('name:set', { name: 'Alice' })).toMatchObject({ ok: true });
    await a.join('/room');
    // Sentinel: B hears the join and then a message, never a typing notice.
    await a.request('message:send', { text: 'joined now' });
    await b.next('message');
    expect(b.received('typing')).toEqual([]);
  });

  it.each<[string, unknown[]]>([
    ['a string flag', [{ typing: 'yes' }]],
    ['a numeric flag', [{ typing: 1 }]],
    ['no flag', [{}]],
    ['a null payload', [null]],
    ['a boolean payload', [true]],
    ['a string payload', ['typing']],
    ['an array payload', [[{ typing: true }]]],
    ['no payload at all', []],
  ])('ignores %s and keeps the connection working', async (_, args) => {
    const server = await startTestServer();
    const [a, b] = await pair(server);
    rawEmit(a.socket, 'typing', ...args);
    const ack = await a.request('message:send', { text: 'after bad typing' });
    expect(ack).toMatchObject({ ok: true });
    // Sentinel: B received the message and no typing notice before it.
    expect(await b.next('message')).toMatchObject({ text: 'after bad typing' });
    expect(b.received('typing')).toEqual([]);
  });

  it('survives an ack callback the protocol does not ask for', async () => {
    const server = await startTestServer();
    const [a, b] = await pair(server);
    rawEmit(a.socket, 'typing', { typing: true }, () => undefined);
    expect(await b.next('typing')).toEqual({ room: '/room', visitor: a.visitor, typing: true });
    expect(await a.request('message:send', { text: 'fine' })).toMatchObject({ ok: true });
  });
});
