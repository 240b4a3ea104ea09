/**
 * The storage interfaces (backend/store/) on both engines they run on: the SQLite file of the
 * embedded default and a throwaway PostgreSQL database. One suite, so the two cannot drift apart.
 */
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { NONCE_TTL_MS } from '../../backend/store/sql.js';
import { DEFAULT_SITE_SETTINGS } from '../../backend/admin-protocol.js';
import type { Message } from '../../backend/protocol.js';
import { openPostgresStorage } from '../../backend/store/postgres.js';
import { openSqliteStorage } from '../../backend/store/sqlite.js';
import type { BanRecord, Storage } from '../../backend/store/types.js';
import { cleanup, track } from '../helpers/cleanup.js';
import { havePostgres, throwawayDatabase } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/server.js';

afterEach(cleanup);

const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
});

type Engine = { name: string; available: boolean; open: (retention?: number) => Promise<Storage> };

const engines: Engine[] = [
  {
    name: 'sqlite',
    available: true,
    open: async (retention = 1000) =>
      track.server(
        await openSqliteStorage({ file: join(await makeTempDir(), 'db.sqlite'), retention }),
      ),
  },
  {
    name: 'postgres',
    available: havePostgres,
    open: async (retention = 1000) => {
      const db = await throwawayDatabase();
      drops.push(db.drop);
      return track.server(await openPostgresStorage({ url: db.url, retention, poolSize: 4 }));
    },
  },
];

let n = 0;
function message(room: string, text: string, visitorId = 'alice'): Message {
  n += 1;
  return {
    id: `m${n}`,
    room,
    visitor: { id: visitorId, name: 'Alice' },
    text,
    ts: 1_700_000_000_000 + n,
  };
}

function ban(site: string, id: string, over: Partial<BanRecord> = {}): BanRecord {
  return {
    id,
    site,
    visitorId: 'troll',
    byAddress: true,
    addressHash: 'hash',
    reason: null,
    createdAt: 1000,
    expiresAt: null,
    ...over,
  };
}

describe.each(engines)('storage on $name', ({ available, open }) => {
  it.skipIf(!available)(
    'stores messages with nonces, pages, deletes and streams them',
    async () => {
      const storage = await open();
      const m1 = message('/r', 'one');
      const m2 = message('/r', 'two');
      expect(await storage.messages.append('acme', m1, 'n1')).toEqual({
        message: m1,
        duplicate: false,
      });
      expect(await storage.messages.append('acme', message('/r', 'again'), 'n1')).toEqual({
        message: m1,
        duplicate: true,
      });
      // Appends in the same turn are committed together, each answered with its own result.
      const [a, b] = await Promise.all([
        storage.messages.append('acme', m2),
        storage.messages.append('acme', message('/s', 'three')),
      ]);
      expect(a.message).toEqual(m2);
      expect(b.duplicate).toBe(false);
      expect(await storage.messages.recent('acme', '/r', 50)).toEqual([m1, m2]);
      const page = await storage.messages.page('acme', { limit: 2 });
      expect(page.items.map((m) => m.text)).toEqual(['three', 'two']);
      const rest = await storage.messages.page('acme', { limit: 2, before: page.next! });
      expect(rest).toEqual({ items: [m1], next: null });
      expect(await storage.messages.delete('acme', m1.id)).toEqual(m1);
      const all: Message[] = [];
      for await (const m of storage.messages.stream('acme', '/r')) all.push(m);
      expect(all).toEqual([m2]);
      expect(await storage.messages.deleteByVisitor('acme', 'alice')).toHaveLength(2);
    },
  );

  it.skipIf(!available)(
    'keeps nonces apart from messages for 24 hours: past retention and deletion, not longer',
    async () => {
      const storage = await open(50);
      const first = message('/n', 'first');
      await storage.messages.append('acme', first, 'kept');
      for (let i = 0; i < 120; i++) await storage.messages.append('acme', message('/n', `#${i}`));
      expect((await storage.messages.recent('acme', '/n', 1000)).map((m) => m.id)).not.toContain(
        first.id,
      );
      expect(await storage.messages.append('acme', message('/n', 'retry'), 'kept')).toEqual({
        message: first,
        duplicate: true,
      });
      const deleted = message('/n', 'deleted');
      await storage.messages.append('acme', deleted, 'gone');
      await storage.messages.delete('acme', deleted.id);
      expect(await storage.messages.findByNonce('acme', 'alice', 'gone')).toEqual(deleted);
      // A day later (by the clock of the messages stored), the nonce is forgotten.
      const later = { ...message('/n', 'a day later'), ts: first.ts + NONCE_TTL_MS + 60 * 60_000 };
      await storage.messages.append('acme', later);
      expect(await storage.messages.findByNonce('acme', 'alice', 'kept')).toBeUndefined();
      const reused = { ...message('/n', 'reused'), ts: later.ts + 1 };
      expect(await storage.messages.append('acme', reused, 'kept')).toEqual({
        message: reused,
        duplicate: false,
      });
    },
  );

  it.skipIf(!available)('prunes a room to about its retention', async () => {
    const storage = await open(50);
    for (let i = 0; i < 120; i++) await storage.messages.append('acme', message('/busy', `#${i}`));
    const kept = await storage.messages.recent('acme', '/busy', 1000);
    expect(kept.length).toBeGreaterThanOrEqual(50);
    expect(kept.length).toBeLessThan(100);
    expect(kept.at(-1)?.text).toBe('#119');
  });

  it.skipIf(!available)(
    'claims sites once, finds them by key hash, and deletes everything of one',
    async () => {
      const storage = await open();
      const record = {
        site: 'acme',
        createdAt: 5,
        settings: { ...DEFAULT_SITE_SETTINGS, slowModeMs: 10 },
        keyHash: 'h1',
      };
      expect(await storage.sites.create(record)).toBe(true);
      expect(await storage.sites.create({ ...record, keyHash: 'h2' })).toBe(false);
      expect(await storage.sites.get('acme')).toEqual(record);
      expect(await storage.sites.siteForKeyHash('h1')).toBe('acme');
      expect(await storage.sites.setKeyHash('acme', 'h3')).toBe(true);
      expect(await storage.sites.siteForKeyHash('h1')).toBeUndefined();
      const settings = { ...record.settings, origins: ['https://acme.com'] };
      expect(await storage.sites.updateSettings('acme', settings)).toBe(true);
      expect(await storage.sites.list()).toEqual([{ site: 'acme', createdAt: 5, settings }]);
      await storage.sites.setRoomReadOnly('acme', '/r', true, 6);
      await storage.sites.setRoomReadOnly('acme', '/r', true, 7);
      expect(await storage.sites.readOnlyRooms('acme')).toEqual(['/r']);
      await storage.bans.create(ban('acme', 'b1'));
      await storage.messages.append('acme', message('/r', 'x'));
      await storage.audit.append('acme', {
        id: 'a1',
        at: 1,
        actor: 'owner',
        action: 'x',
        target: null,
        detail: {},
      });
      expect(await storage.sites.delete('acme')).toBe(true);
      expect(await storage.sites.delete('acme')).toBe(false);
      expect(await storage.sites.get('acme')).toBeUndefined();
      expect(await storage.bans.active('acme', 0)).toEqual([]);
      expect(await storage.messages.recent('acme', '/r', 50)).toEqual([]);
      expect(await storage.sites.readOnlyRooms('acme')).toEqual([]);
      expect((await storage.audit.page('acme', { limit: 10 })).items).toEqual([]);
    },
  );

  it.skipIf(!available)('keeps bans until they expire or are lifted', async () => {
    const storage = await open();
    await storage.bans.create(ban('acme', 'forever'));
    await storage.bans.create(
      ban('acme', 'short', {
        expiresAt: 2000,
        byAddress: false,
        addressHash: null,
        createdAt: 1500,
      }),
    );
    expect((await storage.bans.active('acme', 1999)).map((b) => b.id)).toEqual([
      'short',
      'forever',
    ]);
    expect((await storage.bans.active('acme', 2000)).map((b) => b.id)).toEqual(['forever']);
    expect(await storage.bans.delete('acme', 'forever')).toBe(true);
    expect(await storage.bans.delete('acme', 'forever')).toBe(false);
  });

  it.skipIf(!available)(
    'pages the audit log newest first, and follows the change feed',
    async () => {
      const storage = await open();
      for (let i = 1; i <= 3; i++) {
        await storage.audit.append('acme', {
          id: `a${i}`,
          at: i,
          actor: 'operator',
          action: 'site.settings',
          target: 'acme',
          detail: { i },
        });
      }
      const first = await storage.audit.page('acme', { limit: 2 });
      expect(first.items.map((e) => e.detail)).toEqual([{ i: 3 }, { i: 2 }]);
      const second = await storage.audit.page('acme', { limit: 2, before: first.next! });
      expect(second).toMatchObject({ items: [{ id: 'a1', actor: 'operator' }], next: null });

      const head = await storage.changes.head();
      await storage.changes.record('acme', 'bans', 10);
      await storage.changes.record('globex', 'site', 20);
      const changes = await storage.changes.since(head, 10);
      expect(changes.map((c) => [c.site, c.kind])).toEqual([
        ['acme', 'bans'],
        ['globex', 'site'],
      ]);
      await storage.changes.prune(15);
      expect((await storage.changes.since(head, 10)).map((c) => c.site)).toEqual(['globex']);
    },
  );

  it.skipIf(!available)('remembers the last address a visitor was seen with', async () => {
    const storage = await open();
    await storage.visitors.seen([{ site: 'acme', visitorId: 'v', addressHash: 'a1', at: 1 }]);
    await storage.visitors.seen([
      { site: 'acme', visitorId: 'v', addressHash: 'a2', at: 2 },
      { site: 'acme', visitorId: 'w', addressHash: 'a3', at: 2 },
    ]);
    expect(await storage.visitors.lastAddress('acme', 'v')).toBe('a2');
    expect(await storage.visitors.lastAddress('globex', 'v')).toBeUndefined();
  });
});

describe.skipIf(!havePostgres)('postgres migrations', () => {
  it('run once when several processes start together', async () => {
    const db = await throwawayDatabase();
    drops.push(db.drop);
    const opened = await Promise.all(
      [1, 2, 3].map(() => openPostgresStorage({ url: db.url, retention: 1000, poolSize: 2 })),
    );
    for (const storage of opened) track.server(storage);
    await opened[0]!.messages.append('acme', message('/r', 'hello'));
    expect(await opened[2]!.messages.recent('acme', '/r', 50)).toHaveLength(1);
  });
});
