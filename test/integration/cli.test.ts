/**
 * The operator's CLI (`npx pagechat`, built to build/backend/cli.js) as a person runs it: against
 * a data folder, with and without a running server, its output, its one-line errors and exit
 * status, and a running server picking up what it wrote.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { api } from '../helpers/admin.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect, connectRefused } from '../helpers/client.js';
import { listening, spawnBackend } from '../helpers/process.js';
import { makeTempDir } from '../helpers/server.js';

afterEach(cleanup);

const CLI = fileURLToPath(new URL('../../build/backend/cli.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function pagechat(args: string[], env: Record<string, string>): Promise<Run> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build:backend\` first`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A failed run: status 1 and exactly one line on stderr, naming the problem. */
function expectOneLineError(run: Run, pattern: RegExp): void {
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^pagechat: [^\n]+\n$/);
  expect(run.stderr).toMatch(pattern);
}

describe('pagechat sites', () => {
  it('creates, lists, rotates and deletes sites, with the key working against the server', async () => {
    const env = { PAGECHAT_DATA_DIR: await makeTempDir() };
    const created = await pagechat(
      ['sites', 'create', 'acme', '--origin', 'https://acme.com'],
      env,
    );
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^pck_[A-Za-z0-9_-]{43}$/);

    const list = await pagechat(['sites', 'list'], env);
    expect(list).toMatchObject({ code: 0 });
    expect(list.stdout).toMatch(/^acme\t\d{4}-\d\d-\d\dT[^\t]+\thttps:\/\/acme\.com\n$/);
    const json = JSON.parse((await pagechat(['sites', 'list', '--json'], env)).stdout) as {
      sites: { site: string; settings: { origins: string[] } }[];
    };
    expect(json.sites).toEqual([
      expect.objectContaining({
        site: 'acme',
        settings: expect.objectContaining({ origins: ['https://acme.com'] }),
      }),
    ]);

    // The server, started on the same folder, takes the key; a rotation retires it.
    const server = spawnBackend({ ...env, PORT: '0', HOST: '127.0.0.1', PAGECHAT_DEMO: 'false' });
    const url = await listening(server);
    expect((await api({ url }, 'GET', '/sites/acme', { key })).status).toBe(200);
    const rotated = await pagechat(['sites', 'key', 'acme'], env);
    expect(rotated.code).toBe(0);
    const newKey = rotated.stdout.trim();
    expect(newKey).not.toBe(key);
    expect((await api({ url }, 'GET', '/sites/acme', { key })).status).toBe(401);
    expect((await api({ url }, 'GET', '/sites/acme', { key: newKey })).status).toBe(200);

    expect((await pagechat(['sites', 'delete', 'acme'], env)).code).toBe(0);
    expect((await api({ url }, 'GET', '/sites/acme', { key: newKey })).status).toBe(401);
    expect((await pagechat(['sites', 'list'], env)).stdout).toBe('');
  });

  it('a site created while the server runs is served within seconds, from its origins only', async () => {
    const env = { PAGECHAT_DATA_DIR: await makeTempDir() };
    const server = spawnBackend({
      ...env,
      PORT: '0',
      HOST: '127.0.0.1',
      PAGECHAT_DEMO: 'false',
      PAGECHAT_OPEN_SITES: 'false',
    });
    const url = await listening(server);
    expect((await connectRefused(url, 'acme')).message).toBe('site_not_allowed');
    expect(
      (await pagechat(['sites', 'create', 'acme', '--origin', 'http://localhost:3000'], env)).code,
    ).toBe(0);
    // The server reads the change feed every second; wait for it to serve the new site.
    await expect
      .poll(
        async () =>
          (await connectRefused(url, 'acme', { timeout: 2000 }).catch(() => null))?.message ??
          'connected',
        {
          timeout: 5000,
          interval: 200,
        },
      )
      .toBe('connected');
    const refused = await connectRefused(url, 'acme', {
      extraHeaders: { Origin: 'https://elsewhere.example' },
    });
    expect(refused.message).toBe('origin_not_allowed');
    await connect(url, 'acme', { extraHeaders: { Origin: 'http://localhost:3000' } });
  });

  it('answers mistakes with one line on stderr and status 1', async () => {
    const env = { PAGECHAT_DATA_DIR: await makeTempDir() };
    expect((await pagechat(['sites', 'create', 'acme'], env)).code).toBe(0);
    expectOneLineError(await pagechat(['sites', 'create', 'acme'], env), /already claimed/);
    expectOneLineError(await pagechat(['sites', 'create', 'Bad_Name'], env), /not valid/);
    expectOneLineError(await pagechat(['sites', 'create', 'admin'], env), /reserved/);
    expectOneLineError(await pagechat(['sites', 'create'], env), /needs a site name/);
    expectOneLineError(
      await pagechat(['sites', 'create', 'x', '--origin', 'acme.com'], env),
      /--origin/,
    );
    expectOneLineError(await pagechat(['sites', 'key', 'nope'], env), /no claimed site "nope"/);
    expectOneLineError(await pagechat(['sites', 'delete', 'nope'], env), /no claimed site "nope"/);
    expectOneLineError(await pagechat(['sites', 'frob'], env), /unknown command/);
    expectOneLineError(await pagechat(['nonsense'], env), /unknown command/);
    expectOneLineError(await pagechat(['sites', 'list', '--bogus'], env), /--bogus/);
    expectOneLineError(
      await pagechat(['sites', 'list'], { ...env, PAGECHAT_HISTORY_RETENTION: 'lots' }),
      /PAGECHAT_HISTORY_RETENTION/,
    );
    const help = await pagechat(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('sites create <name>');
  });
});
