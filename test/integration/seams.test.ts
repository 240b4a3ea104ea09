/**
 * The rules no client can trigger alone (`internal`, and `retryAfterMs` meaning "when to retry"),
 * through the seams the composition root offers: a wrapper around the real storage, and a clock.
 * Everything else is the real server. Moderation codes are in moderation.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../backend/protocol.js';
import type { Storage } from '../../backend/store/types.js';
import { expectFailure } from '../helpers/assertions.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect, RoomCount } from '../helpers/client.js';
import { startTestServer } from '../helpers/server.js';

afterEach(cleanup);

/**
 * The real storage, with one message-store method failing while `failing` is true: what a full
 * disk or a lost database connection looks like to the realtime layer.
 */
function flaky(method: 'append' | 'recent', failing: boolean) {
  const state = { failing };
  const wrapStorage = (real: Storage): Storage => {
    const messages = { ...real.messages };
    const original = real.messages[method].bind(real.messages) as (...args: unknown[]) => unknown;
    Object.assign(messages, {
      [method]: (...args: unknown[]) =>
        state.failing ? Promise.reject(new Error('disk error')) : original(...args),
    });
    return { ...real, messages };
  };
  return { state, wrapStorage };
}

describe('internal', () => {
  it('answers internal when the store fails, broadcasts nothing, and recovers', async () => {
    const flakyAppend = flaky('append', true);
    const server = await startTestServer({}, { wrapStorage: flakyAppend.wrapStorage });
    const a = await connect(server.url, 'acme');
    const b = await connect(server.url, 'acme');
    await a.join('/room');
    await b.join('/room');
    expectFailure(await a.request('message:send', { text: 'lost', nonce: 'n1' }), 'internal');
    // "the request may be retried": the same request, with the same nonce, succeeds once storage is back.
    flakyAppend.state.failing = false;
    const retry = await a.request('message:send', { text: 'lost', nonce: 'n1' });
    expect(retry).toMatchObject({ ok: true, message: { text: 'lost' } });
    expect(await b.next('message')).toEqual(retry.ok ? retry.message : undefined);
    const newcomer = await connect(server.url, 'acme');
    expect((await newcomer.join('/room')).history).toEqual([retry.ok ? retry.message : undefined]);
  });
});

describe('internal on join', () => {
  it('leaves the room consistent: the others converge on the count the server reports', async () => {
    const flakyRecent = flaky('recent', false);
    const server = await startTestServer({}, { wrapStorage: flakyRecent.wrapStorage });
    const resident = await connect(server.url, 'acme');
    const seen = new RoomCount(resident, '/room');
    await seen.join();
    flakyRecent.state.failing = true;
    const newcomer = await connect(server.url, 'acme');
    expectFailure(await newcomer.request('join', { room: '/room' }), 'internal');
    const res = await fetch(`${server.url}/api/v1/sites/acme/presence?room=%2Froom`);
    const { count } = (await res.json()) as { count: number };
    // Whatever the failed join left behind, the room's own view must agree with the server's.
    await seen.until(count, LIMITS.presenceConvergeMs + 1500);
    // And the retry the code invites works.
    flakyRecent.state.failing = false;
    expect(await newcomer.request('join', { room: '/room' })).toMatchObject({ ok: true, count: 2 });
    await seen.until(2, LIMITS.presenceConvergeMs + 1500);
  });
});

describe('internal on join, for a second tab', () => {
  it('leaves the tab out of the room even when the visitor is already there', async () => {
    const flakyRecent = flaky('recent', false);
    const server = await startTestServer({}, { wrapStorage: flakyRecent.wrapStorage });
    const first = await connect(server.url, 'acme');
    await first.join('/room');
    const second = await connect(server.url, 'acme', { auth: { token: first.session.token } });
    expect(second.id).toBe(first.id);
    flakyRecent.state.failing = true;
    expectFailure(await second.request('join', { room: '/room' }), 'internal');
    flakyRecent.state.failing = false;
    // The failed join left no room behind: the tab may not post there.
    expectFailure(await second.request('message:send', { text: 'sneaky' }), 'not_joined');
    expect(await first.request('message:send', { text: 'fine' })).toMatchObject({ ok: true });
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
