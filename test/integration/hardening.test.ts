/**
 * Abuse hardening, tried from outside as an attacker would (issue 8): one client from one address
 * cannot flood a room by changing identity, exhaust memory with bare handshakes, namespaces or
 * unread output, store a duplicate by retrying a pruned nonce, be cut off by its own escaping, keep
 * the server busy with invalid requests or endless bodies, or read what only the operator may.
 * Raw Engine.IO sessions and raw HTTP stand in for clients socket.io-client would not let us be.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { expectFailure } from '../helpers/assertions.js';
import { cleanup } from '../helpers/cleanup.js';
import {
  connect,
  connectRefused,
  freshAddress,
  rawEmit,
  type TestClient,
} from '../helpers/client.js';
import { RawSession, rawHttp } from '../helpers/raw.js';
import {
  MANY_MESSAGES,
  OPERATOR_TOKEN,
  startTestServer,
  type TestServer,
} from '../helpers/server.js';
import { api, claimSite } from '../helpers/admin.js';

afterEach(cleanup);

/** A visitor from its own address still connects, joins and is heard. */
async function expectChatting(server: TestServer, room = '/healthy'): Promise<void> {
  const a = await connect(server.url, 'acme');
  const b = await connect(server.url, 'acme');
  await a.join(room);
  await b.join(room);
  expect(await a.request('message:send', { text: 'still here' })).toMatchObject({ ok: true });
  expect(await b.next('message')).toMatchObject({ text: 'still here' });
}

async function sendAll(client: TestClient, n: number, label: string) {
  return Promise.all(
    Array.from({ length: n }, (_, i) => client.request('message:send', { text: `${label} ${i}` })),
  );
}

/** A bare Engine.IO polling handshake from `localAddress`: the HTTP status and body. */
function pollingHandshake(
  url: string,
  localAddress: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/socket.io/?EIO=4&transport=polling`,
      { localAddress, agent: false },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('message limits per address and per room', () => {
  it('new identities from one address share one budget', async () => {
    const server = await startTestServer();
    const address = freshAddress();
    const accepted: unknown[] = [];
    // Five fresh visitors (no token) from one address, each with a full visitor burst of 10.
    for (let i = 0; i < 5; i++) {
      const visitor = await connect(server.url, 'acme', { localAddress: address });
      await visitor.join(`/room-${i}`);
      const acks = await sendAll(visitor, 10, `identity ${i}`);
      accepted.push(...acks.filter((ack) => ack.ok));
      for (const ack of acks.filter((ack) => !ack.ok)) expectFailure(ack, 'rate_limited');
      visitor.close();
    }
    // The address's burst is 20, refilled at 3 a second: far below the 50 five visitors could send.
    const { burst, perSecond } = server.config.addressMessageRate;
    expect(accepted.length).toBeGreaterThanOrEqual(burst);
    expect(accepted.length).toBeLessThan(burst + perSecond * 5);
    await expectChatting(server);
  });

  it('a room takes messages no faster than its ceiling, whoever sends them', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    void key;
    const early = await connect(server.url, 'acme');
    await early.join('/busy');
    const kept = await early.request('message:send', { text: 'said before the flood' });
    // Twenty visitors from twenty addresses, ten messages each, all at once.
    const flooders = await Promise.all(
      Array.from({ length: 20 }, () => connect(server.url, 'acme')),
    );
    await Promise.all(flooders.map((f) => f.join('/busy')));
    const acks = (await Promise.all(flooders.map((f, i) => sendAll(f, 10, `flood ${i}`)))).flat();
    const accepted = acks.filter((ack) => ack.ok).length;
    const { burst, perSecond } = server.config.roomMessageRate;
    expect(accepted).toBeGreaterThanOrEqual(burst - 1);
    expect(accepted).toBeLessThan(burst + perSecond * 3);
    for (const ack of acks.filter((ack) => !ack.ok)) expectFailure(ack, 'rate_limited');
    // What was said before the flood is still in the room's history, and other rooms are untouched.
    const newcomer = await connect(server.url, 'acme');
    const joined = await newcomer.join('/busy');
    expect(joined.history).toContainEqual(kept.ok ? kept.message : undefined);
    await expectChatting(server, '/quiet');
  });
});

describe('transport handshakes', () => {
  it('are limited per address per second, refused with 403 and a reason', async () => {
    const server = await startTestServer({ handshakeRate: { burst: 5, perSecond: 0.01 } });
    const address = freshAddress();
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => pollingHandshake(server.url, address)),
    );
    const opened = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 403);
    expect(opened).toHaveLength(5);
    expect(refused).toHaveLength(25);
    for (const answer of refused) expect(JSON.parse(answer.body).message).toMatch(/^rate_limited/);
    await expectChatting(server);
  });

  it('count against the per-address cap even when they never reach a site, and expire', async () => {
    const server = await startTestServer({
      maxConnectionsPerIp: 2,
      handshakeRate: { burst: 1000, perSecond: 1000 },
    });
    const address = freshAddress();
    // Bare sessions: the cap plus the slack for connections in progress (10), then refusals.
    const answers: number[] = [];
    for (let i = 0; i < 14; i++) answers.push((await pollingHandshake(server.url, address)).status);
    expect(answers.slice(0, 12)).toEqual(Array(12).fill(200));
    expect(answers.slice(12)).toEqual([403, 403]);
    const refused = await connectRefused(server.url, 'acme', {
      localAddress: address,
      transports: ['websocket'],
    }).catch((error: Error) => error);
    expect(refused).toBeDefined();
    await expectChatting(server);
    // Sessions that reach no site are closed after the connect timeout; the address is free again.
    await expect
      .poll(async () => (await pollingHandshake(server.url, address)).status, {
        timeout: 15_000,
        interval: 500,
      })
      .toBe(200);
  });

  it('stop at the server-wide ceiling while connected visitors keep chatting', async () => {
    const server = await startTestServer({ maxConnections: 3 });
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    await connect(server.url, 'acme');
    const full = await pollingHandshake(server.url, freshAddress());
    expect(full.status).toBe(403);
    expect(JSON.parse(full.body).message).toMatch(/connection limit/);
    expect(await a.request('message:send', { text: 'full but fine' })).toMatchObject({ ok: true });
    expect(await b.next('message')).toMatchObject({ text: 'full but fine' });
  });
});

describe('namespaces per connection', () => {
  it('a connection uses at most 3 sites, and too many attempts close it', async () => {
    const server = await startTestServer();
    const session = await RawSession.open(server.url, freshAddress());
    for (const site of ['one', 'two', 'three']) {
      expect(await session.connectSite(site)).toMatch(new RegExp(`^40/${site},\\{"sid"`));
    }
    const fourth = await session.connectSite('four');
    expect(fourth).toMatch(/^44\/four,/);
    expect(JSON.parse(fourth.slice('44/four,'.length))).toMatchObject({
      message: 'rate_limited',
      data: { code: 'rate_limited' },
    });
    // Probing on, valid names or not: the connection is closed after 20 attempts a minute.
    for (let i = 0; i < 30; i++) session.send(`40/probe-${i},{}`);
    await session.closed;
    await expectChatting(server);
  });
});

describe('slow readers', () => {
  it('a connection that stops reading is dropped once its unsent output passes the bound', async () => {
    const server = await startTestServer({
      ...MANY_MESSAGES,
      maxBufferedBytes: 65_536,
      joinRate: { burst: 1000, perSecond: 1000 },
      handshakeRate: { burst: 1000, perSecond: 1000 },
    });
    // A room whose join ack is about 100 KB: 50 messages of 2,000 characters.
    const writer = await connect(server.url, 'acme');
    await writer.join('/big');
    for (let i = 0; i < 50; i++) {
      await writer.request('message:send', { text: `${i} `.padEnd(2000, 'x') });
    }
    const slow = await RawSession.open(server.url, freshAddress());
    expect(await slow.connectSite('acme')).toMatch(/^40\/acme,/);
    const joined = await slow.request('acme', 'join', '{"room":"/big"}');
    expect(joined).toMatchObject({ ok: true });
    const gone = writer.next('left');
    // Stop reading, then ask for 200 history-sized answers (20 MB): more than any kernel buffers.
    slow.ws.pause();
    for (let i = 0; i < 200; i++) slow.send(`42/acme,${1000 + i}["join",{"room":"/big"}]`);
    // The server drops it: everyone in the room sees the slow reader leave.
    expect(await gone).toMatchObject({ room: '/big', count: 1 });
    slow.ws.resume();
    await slow.closed;
    await expectChatting(server);
  });
});

describe('nonces', () => {
  it('answer a retry with the original after retention pruned the message', async () => {
    const server = await startTestServer({ ...MANY_MESSAGES, historyRetention: 50 });
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    const first = await a.request('message:send', { text: 'once', nonce: 'n-1' });
    if (!first.ok) throw new Error('send failed');
    // Enough later messages that the first one is pruned (pruning runs every 50 inserts).
    for (let i = 0; i < 110; i++) {
      const ack = await a.request('message:send', { text: `later ${i}` });
      expect(ack.ok).toBe(true);
    }
    const history = (await b.join('/room')).history;
    expect(history.map((m) => m.id)).not.toContain(first.message.id);
    const retry = await a.request('message:send', { text: 'once', nonce: 'n-1' });
    expect(retry).toEqual({ ok: true, message: first.message });
    const sentinel = await a.request('message:send', { text: 'sentinel' });
    expect(sentinel.ok).toBe(true);
    // b heard "once" when it was sent, then the later messages and the sentinel: no second "once".
    const heard: string[] = [];
    for (;;) {
      const m = await b.next('message');
      heard.push(m.text);
      if (m.text === 'sentinel') break;
    }
    expect(heard.filter((text) => text === 'once')).toHaveLength(1);
  });

  it('answer a retry with the original after a moderator deleted it, storing nothing new', async () => {
    const server = await startTestServer();
    const key = await claimSite(server, 'acme');
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    const first = await a.request('message:send', { text: 'regret', nonce: 'n-2' });
    if (!first.ok) throw new Error('send failed');
    const deleted = await api(server, 'DELETE', `/sites/acme/messages/${first.message.id}`, {
      key,
    });
    expect(deleted.status).toBe(204);
    expect(await a.request('message:send', { text: 'regret', nonce: 'n-2' })).toEqual({
      ok: true,
      message: first.message,
    });
    const b = await connect(server.url, 'acme');
    expect((await b.join('/room')).history).toEqual([]);
  });
});

describe('frames', () => {
  const emoji = '\\ud83d\\ude00'; // one character, 12 bytes when escaped as Python's json does

  it('the longest text the protocol allows fits, however the client escapes it', async () => {
    const server = await startTestServer();
    const session = await RawSession.open(server.url, freshAddress());
    await session.connectSite('acme');
    expect(await session.request('acme', 'join', '{"room":"/escaped"}')).toMatchObject({
      ok: true,
    });
    const max = server.config.maxTextLength;
    const ack = await session.request(
      'acme',
      'message:send',
      `{"text":"${emoji.repeat(max)}","nonce":"${'\\u0041'.repeat(64)}"}`,
    );
    expect(ack).toMatchObject({ ok: true, message: { text: '😀'.repeat(max) } });
    const over = await session.request(
      'acme',
      'message:send',
      `{"text":"${emoji.repeat(max + 1)}"}`,
    );
    expectFailure(over, 'too_long');
  });
});

describe('invalid requests', () => {
  it('are answered, then throttled per address: the connection is dropped', async () => {
    const server = await startTestServer();
    const address = freshAddress();
    const flooder = await connect(server.url, 'acme', { localAddress: address });
    const gone = flooder.disconnected();
    const big = 'x'.repeat(15_000);
    const acks = await Promise.all(
      Array.from({ length: 10 }, () => flooder.request('join', { room: big })),
    );
    for (const ack of acks) expectFailure(ack, 'invalid_payload');
    flooder.socket.emit('join', { room: big }, () => undefined);
    expect(await gone).toBe('transport close');
    // A new identity from the same address is cut off at its first invalid request.
    const again = await connect(server.url, 'acme', { localAddress: address });
    const goneAgain = again.disconnected();
    rawEmit(again.socket, 'join', { room: 42 }, () => undefined);
    expect(await goneAgain).toBe('transport close');
    await expectChatting(server);
  });

  it('an error answer closes the connection instead of reading an endless body', async () => {
    const server = await startTestServer();
    for (const path of ['/socket.io/?EIO=4&transport=polling', '/api/v1/sites']) {
      const http = await rawHttp(
        server.url,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Transfer-Encoding: chunked\r\n\r\n`,
      );
      // Keep sending until the server hangs up (a chunk every turn of the event loop).
      const chunk = `4000\r\n${'{'.repeat(0x4000)}\r\n`;
      let sent = 0;
      const pump = () => {
        if (http.socket.destroyed || sent > 64 * 1024 * 1024) return;
        sent += chunk.length;
        http.socket.write(chunk, () => setImmediate(pump));
      };
      pump();
      await http.closed;
      const head = http.received();
      expect(head, path).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(head.toLowerCase(), path).toContain('connection: close');
      expect(sent, path).toBeLessThan(64 * 1024 * 1024);
    }
    await expectChatting(server);
  });
});

describe('exposure', () => {
  it('/metrics needs the operator token on the main port, and is open on the metrics port', async () => {
    const server = await startTestServer({ metricsPort: 0 });
    const anonymous = await fetch(`${server.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toMatch(/nodejs_version_info|process_start_time/);
    const operator = await fetch(`${server.url}/metrics`, {
      headers: { Authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    expect(await operator.text()).toMatch(/^pagechat_connections /m);
    expect(server.metricsPort).toBeTypeOf('number');
    const scrape = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/^pagechat_connections /m);
    expect((await fetch(`http://127.0.0.1:${server.metricsPort}/`)).status).toBe(404);
  });

  it('HTML pages carry a CSP with frame-ancestors, nosniff and no referrer', async () => {
    const server = await startTestServer();
    for (const path of ['/', '/inline.html', '/spa/about']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    // The widget stays loadable from any page.
    const widget = await fetch(`${server.url}/widget.js`);
    expect(widget.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });
});
