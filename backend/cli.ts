#!/usr/bin/env node
/**
 * `npx pagechat`: the operator's command line, on the same storage as the server (the data folder,
 * or the shared database), whether the server is running or not. Changes are written with an
 * audit entry and a change-feed record, so a running server applies them within a second.
 *
 * Exit status 0 on success; otherwise one line on stderr that says what is wrong, and status 1.
 */
import { nanoid } from 'nanoid';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { ApiError, SiteService } from './sites/service.js';
import { ORIGIN_PATTERN } from './sites/rules.js';
import { openStorage } from './store/index.js';
import type { Storage } from './store/types.js';

const USAGE = `Usage: pagechat sites <command>

  sites create <name> [--origin <url>]... [--welcome <text>]   claim a site; prints its key once
  sites list [--json]                                          every claimed site
  sites key <name>                                             a new key; the old one stops working
  sites delete <name>                                          the site, its history, bans and keys

Storage: PAGECHAT_DATA_DIR (default ./data), or DATABASE_URL when set, as for the server.`;

class UsageError extends Error {}

async function run(argv: string[], storage: () => Promise<Storage>): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      origin: { type: 'string', multiple: true },
      welcome: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [group, command, name, ...extra] = positionals;
  if (values.help || group === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (group !== 'sites') throw new UsageError(`unknown command "${group}"; try: pagechat --help`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const needName = (): string => {
    if (name === undefined) throw new UsageError(`sites ${command} needs a site name`);
    return name;
  };

  const opened = await storage();
  try {
    const service = new SiteService({
      storage: opened,
      clock: Date.now,
      newId: nanoid,
      operatorToken: undefined,
    });
    switch (command) {
      case 'create': {
        const origins = values.origin ?? [];
        const bad = origins.find((o) => !ORIGIN_PATTERN.test(o));
        if (bad !== undefined) {
          throw new UsageError(
            `--origin "${bad}" is not an origin: expected https://example.com or https://*.example.com`,
          );
        }
        const welcome = values.welcome?.trim();
        const { key } = await service.createSite(
          needName(),
          { origins, ...(welcome ? { welcome } : {}) },
          'operator',
        );
        process.stdout.write(`${key}\n`);
        process.stderr.write(`site "${name}" claimed; keep this key, it is not shown again\n`);
        return;
      }
      case 'list': {
        if (name !== undefined) throw new UsageError(`unexpected argument "${name}"`);
        const sites = await service.listSites();
        if (values.json) {
          process.stdout.write(`${JSON.stringify({ sites }, null, 2)}\n`);
          return;
        }
        for (const s of sites) {
          const origins = s.settings.origins.length ? s.settings.origins.join(',') : '(any origin)';
          process.stdout.write(`${s.site}\t${new Date(s.createdAt).toISOString()}\t${origins}\n`);
        }
        return;
      }
      case 'key': {
        process.stdout.write(`${await service.rotateKey(needName(), 'operator')}\n`);
        return;
      }
      case 'delete': {
        await service.deleteSite(needName());
        process.stderr.write(`site "${name}" deleted\n`);
        return;
      }
      default:
        throw new UsageError(
          command === undefined
            ? 'sites needs a command: create, list, key or delete'
            : `unknown command "sites ${command}"; try: pagechat --help`,
        );
    }
  } finally {
    await opened.close();
  }
}

try {
  await run(process.argv.slice(2), () => openStorage(loadConfig(process.env)));
} catch (error) {
  const known =
    error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof ApiError ||
    (error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS'));
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`pagechat: ${known ? message : `failed: ${message}`}\n`);
  process.exitCode = 1;
}
