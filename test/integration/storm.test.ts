/**
 * Busy rooms (PROTOCOL.md "Busy rooms"): during a join storm the server may coalesce `presence` and
 * stop per-visitor `joined`/`left` above a size threshold, but every socket in the room must hold
 * the exact count within 2 seconds after the last change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../backend/protocol.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect, RoomCount, type TestClient } from '../helpers/client.js';
import { startTestServer } from '../helpers/server.js';

afterEach(cleanup);

/** The protocol's bound, plus room for event delivery to hundreds of sockets in this process. */
const CONVERGE_MS = LIMITS.presenceConvergeMs + 1500;

async function connectMany(url: string, n: number): Promise<TestClient[]> {
  const clients: TestClient[] = [];
  // In batches, so the handshakes do not all time out together on a slow machine.
  for (let i = 0; i < n; i += 50) {
    const batch = Math.min(50, n - i);
    clients.push(
      ...(await Promise.all(
        Array.from({ length: batch }, () => connect(url, 'acme', { timeout: 15_000 })),
      )),
    );
  }
  return clients;
}

describe('join storm', () => {
  it('300 visitors joining at once all converge on the exact count, and again after 150 leave', async () => {
    // The default presence window (1 s) and quiet-room size: production settings. One test
    // machine stands in for 300 visitors' addresses, so the per-address cap is lifted.
    const server = await startTestServer({ maxConnectionsPerIp: 1000 });
    const clients = await connectMany(server.url, 300);
    expect(new Set(clients.map((c) => c.id)).size).toBe(300);
    const counts = clients.map((c) => new RoomCount(c, '/launch'));

    const acks = await Promise.all(counts.map((c) => c.join(15_000)));
    for (const ack of acks) expect(ack).toMatchObject({ ok: true, room: '/launch' });
    // Every ack's count includes its joiner and no more than everyone.
    const ackCounts = acks.map((ack) => (ack.ok ? ack.count : 0));
    expect(Math.min(...ackCounts)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...ackCounts)).toBe(300);

    await Promise.all(counts.map((c) => c.until(300, CONVERGE_MS)));

    const leaving = clients.slice(0, 150);
    const staying = counts.slice(150);
    for (const c of leaving) c.close();
    await Promise.all(staying.map((c) => c.until(150, CONVERGE_MS)));

    const res = await fetch(`${server.url}/api/v1/sites/acme/presence?room=%2Flaunch`);
    expect(await res.json()).toEqual({ site: 'acme', room: '/launch', count: 150 });
  });

  it('sends no per-visitor `joined` or `left` above the quiet-room size, and presence still converges', async () => {
    const quietRoomSize = 5;
    const server = await startTestServer({ quietRoomSize, presenceWindowMs: 200 });
    const observer = await connect(server.url, 'acme');
    const observed = new RoomCount(observer, '/busy');
    await observed.join();
    const others: TestClient[] = [];
    for (let i = 0; i < 11; i++) {
      const c = await connect(server.url, 'acme');
      await c.join('/busy');
      others.push(c);
    }
    await observed.until(12, CONVERGE_MS);
    // Sentinel: everything caused by the joins reached the observer before this message.
    const last = others[others.length - 1] as TestClient;
    await last.request('message:send', { text: 'sentinel' });
    await observer.next('message');

    const joined = observer.received('joined');
    // Well below the threshold, every arrival is announced...
    expect(joined.filter((j) => j.count <= quietRoomSize - 1).map((j) => j.visitor.id)).toEqual(
      others.slice(0, quietRoomSize - 2).map((c) => c.id),
    );
    // ...above it, none is.
    expect(joined.filter((j) => j.count > quietRoomSize)).toEqual([]);

    // Leaving from 12 down to 9 stays quiet, but the count follows.
    for (const c of others.slice(0, 3)) c.close();
    await observed.until(9, CONVERGE_MS);
    await last.request('message:send', { text: 'sentinel 2' });
    await observer.next('message');
    expect(observer.received('left')).toEqual([]);
  });

  it('keeps converging after the last visitor of a site leaves and new ones arrive at once', async () => {
    // Every room quiet (no joined/left at all), so `presence` is the only way to learn the count.
    const server = await startTestServer({ quietRoomSize: 0 });
    const first = await connect(server.url, 'lonely');
    await first.join('/page');
    // The site's only visitor reloads the page: the old socket goes, a new one comes at once.
    first.close();
    const reloaded = await connect(server.url, 'lonely', { auth: { token: first.session.token } });
    const count = new RoomCount(reloaded, '/page');
    await count.join();
    await count.until(1, CONVERGE_MS);
    const other = await connect(server.url, 'lonely');
    await other.join('/page');
    await count.until(2, CONVERGE_MS);
  });

  it('corrects a newcomer whose join ack was outdated by a leave within the same window', async () => {
    // A busy room (above the quiet-room size): `presence` is the only correction a newcomer gets.
    const server = await startTestServer({ quietRoomSize: 3 });
    const residents = await Promise.all(
      Array.from({ length: 4 }, () => connect(server.url, 'acme')),
    );
    const counts = residents.map((r) => new RoomCount(r, '/page'));
    for (const c of counts) await c.join();
    await Promise.all(counts.map((c) => c.until(4, CONVERGE_MS)));
    // One arrives and, at once, another goes: the room is back to the count last broadcast.
    const newcomer = await connect(server.url, 'acme');
    const seen = new RoomCount(newcomer, '/page');
    expect(await seen.join()).toMatchObject({ ok: true, count: 5 });
    residents[0]?.close();
    await seen.until(4, CONVERGE_MS);
  });
});
