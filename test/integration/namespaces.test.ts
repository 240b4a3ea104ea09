/**
 * Sites are namespaces (PROTOCOL.md "Sites are namespaces"): which namespaces are accepted, and the
 * `connect_error` a refused one gets (`message` is the code, `data` is `{ code, message }`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../backend/protocol.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect, connectRefused, type RefusedConnection } from '../helpers/client.js';
import { startTestServer } from '../helpers/server.js';

afterEach(cleanup);

function expectRefusal(refusal: RefusedConnection, code: ErrorCode | 'unauthorized'): void {
  expect(refusal.message).toBe(code);
  expect(refusal.data).toEqual({ code, message: expect.stringMatching(/\S/) });
}

describe('site namespaces', () => {
  it.each([
    ['a', 'the shortest name'],
    ['acme', 'a plain name'],
    ['my-site-2', 'digits and inner hyphens'],
    ['0', 'a single digit'],
    ['x'.repeat(40), 'exactly 40 characters'],
  ])('accepts /%s (%s)', async (site) => {
    const server = await startTestServer();
    const client = await connect(server.url, site);
    expect(await client.join('/')).toMatchObject({ ok: true, count: 1 });
  });

  it.each([
    ['Bad_Name', 'upper case and an underscore'],
    ['Acme', 'an upper-case letter'],
    ['-x', 'a leading hyphen'],
    ['x-', 'a trailing hyphen'],
    ['x'.repeat(41), '41 characters'],
    ['a.b', 'a dot'],
    ['caf%C3%A9', 'a non-ASCII letter'],
    ['a%20b', 'a space'],
  ])('refuses /%s (%s) with invalid_site', async (site) => {
    const server = await startTestServer();
    expectRefusal(await connectRefused(server.url, site), 'invalid_site');
  });

  it("refuses a visitor on the reserved /admin, the moderators' view, as unauthorized", async () => {
    const server = await startTestServer();
    expectRefusal(await connectRefused(server.url, 'admin'), 'unauthorized');
  });

  it('refuses the root namespace, which carries no chat, with invalid_site', async () => {
    const server = await startTestServer();
    expectRefusal(await connectRefused(server.url, ''), 'invalid_site');
  });

  it('refuses an invalid site over HTTP long-polling too', async () => {
    const server = await startTestServer();
    const refusal = await connectRefused(server.url, 'Bad_Name', { transports: ['polling'] });
    expectRefusal(refusal, 'invalid_site');
  });

  it('keeps serving valid sites after refusing many invalid ones', async () => {
    const server = await startTestServer();
    const refusals = await Promise.all(
      Array.from({ length: 30 }, (_, i) => connectRefused(server.url, `Bad_${i}`)),
    );
    for (const refusal of refusals) expectRefusal(refusal, 'invalid_site');
    const client = await connect(server.url, 'acme');
    expect(await client.join('/')).toMatchObject({ ok: true });
  });
});

describe('site allowlist', () => {
  it('serves the listed sites and refuses others with site_not_allowed', async () => {
    const server = await startTestServer({ sites: ['acme', 'globex'] });
    const acme = await connect(server.url, 'acme');
    expect(await acme.join('/')).toMatchObject({ ok: true });
    const globex = await connect(server.url, 'globex');
    expect(await globex.join('/')).toMatchObject({ ok: true });
    expectRefusal(await connectRefused(server.url, 'initech'), 'site_not_allowed');
  });

  it('still refuses an invalid name with invalid_site', async () => {
    const server = await startTestServer({ sites: ['acme'] });
    expectRefusal(await connectRefused(server.url, 'Bad_Name'), 'invalid_site');
  });
});
