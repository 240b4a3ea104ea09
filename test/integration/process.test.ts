/**
 * The real process (`npm start` runs `node build/backend/main.js`): configuration errors stop it
 * with exit code 1 and one line naming the variable; SIGTERM and SIGINT shut it down gracefully
 * with exit code 0; a restart on the same data folder keeps identities and history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '../helpers/cleanup.js';
import { connect } from '../helpers/client.js';
import { exitWithin, listening, spawnBackend } from '../helpers/process.js';
import { makeTempDir } from '../helpers/server.js';

afterEach(cleanup);

/** The environment of a backend on a free port of 127.0.0.1 with its own data folder. */
async function env(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    PAGECHAT_DATA_DIR: await makeTempDir(),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

describe('configuration errors', () => {
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PAGECHAT_SECRET', 'short'],
    ['PAGECHAT_SITES', 'Bad_Name'],
    ['PAGECHAT_MAX_TEXT_LENGTH', 'lots'],
    ['PAGECHAT_MESSAGE_RATE_BURST', '-1'],
    ['LOG_LEVEL', 'loud'],
  ])('%s=%s exits 1 with one stderr line naming the variable', async (name, value) => {
    const proc = spawnBackend(await env({ [name]: value }));
    const exit = await exitWithin(proc, 10_000);
    expect(exit).toEqual({ code: 1, signal: null });
    const lines = proc.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(name);
    // It never started serving.
    expect(proc.logs.some((l) => l.msg === 'listening')).toBe(false);
  });

  it('never prints the secret it refused', async () => {
    const secret = 'tooShortButSecret123';
    const proc = spawnBackend(await env({ PAGECHAT_SECRET: secret }));
    await exitWithin(proc, 10_000);
    expect(proc.stderr()).toContain('PAGECHAT_SECRET');
    expect(proc.stderr()).not.toContain(secret);
  });
});

describe('running process', () => {
  it('logs JSON lines, serves health, and exits 0 on SIGTERM, disconnecting its clients', async () => {
    const proc = spawnBackend(await env());
    const url = await listening(proc);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const client = await connect(url, 'acme');
    await client.join('/room');
    const disconnected = client.disconnected(10_000);
    proc.child.kill('SIGTERM');
    const exit = await exitWithin(proc, 6_000);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await disconnected).toMatch(/transport close|io server disconnect/);
    expect(proc.otherStdout).toEqual([]);
  });

  it('exits 0 on SIGINT sent the moment it reports listening', async () => {
    // A supervisor may stop a process as soon as it is ready: the graceful handlers must already
    // be in place when "listening" is logged, or the signal's default action kills the process.
    const proc = spawnBackend(await env());
    await listening(proc);
    proc.child.kill('SIGINT');
    expect(await exitWithin(proc, 6_000)).toEqual({ code: 0, signal: null });
  });

  it('keeps identity and history when restarted on the same data folder', async () => {
    const base = await env();
    const first = spawnBackend(base);
    const url1 = await listening(first);
    const alice = await connect(url1, 'acme', { auth: { name: 'Alice' } });
    await alice.join('/room');
    const sent = await alice.request('message:send', { text: 'survives a restart' });
    if (!sent.ok) throw new Error(`send failed: ${JSON.stringify(sent)}`);
    first.child.kill('SIGTERM');
    expect(await exitWithin(first, 6_000)).toEqual({ code: 0, signal: null });

    const second = spawnBackend(base);
    const url2 = await listening(second);
    const back = await connect(url2, 'acme', { auth: { token: alice.session.token } });
    expect(back.id).toBe(alice.id);
    expect((await back.join('/room')).history).toEqual([sent.message]);
  });

  it('never logs visitor tokens or the secret', async () => {
    const secret = 'x'.repeat(16) + 'VerySecretValue' + 'y'.repeat(16);
    const proc = spawnBackend(await env({ PAGECHAT_SECRET: secret, LOG_LEVEL: 'trace' }));
    const url = await listening(proc);
    const first = await connect(url, 'acme');
    const again = await connect(url, 'acme', { auth: { token: first.session.token } });
    await again.join('/room');
    await again.request('message:send', { text: 'hello' });
    proc.child.kill('SIGTERM');
    await exitWithin(proc, 6_000);
    const output = JSON.stringify(proc.logs) + proc.otherStdout.join('\n') + proc.stderr();
    expect(output).not.toContain(secret);
    expect(output).not.toContain(first.session.token);
  });
});
