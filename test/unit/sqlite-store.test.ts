/**
 * The message store on a real SQLite file (backend/store/sqlite.ts, sql.ts): history order and
 * limits, per-site and per-room separation, nonce deduplication per visitor, retention, paging,
 * deletion, export, and durability across reopening.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../backend/protocol.js';
import { openSqliteStorage } from '../../backend/store/sqlite.js';
import type { MessageStore, Storage } from '../../backend/store/types.js';
import { cleanup, track } from '../helpers/cleanup.js';
import { makeTempDir } from '../helpers/server.js';

afterEach(cleanup);

let seq = 0;
function message(room: string, text: string, visitorId = 'alice'): Message {
  seq += 1;
  return {
    id: `m${seq}`,
    room,
    visitor: { id: visitorId, name: visitorId.toUpperCase() },
    text,
    ts: 1_700_000_000_000,
  };
}

async function openFile(file: string, retention = 1000): Promise<Storage> {
  return track.server(await openSqliteStorage({ file, retention }));
}

async function open(
  retention = 1000,
): Promise<{ store: MessageStore; storage: Storage; file: string }> {
  const file = join(await makeTempDir(), 'history.sqlite');
  const storage = await openFile(file, retention);
  return { store: storage.messages, storage, file };
}

describe('sqlite store', () => {
  it('returns the newest messages oldest first, even with equal timestamps', async () => {
    const { store } = await open();
    const sent: Message[] = [];
    for (let i = 0; i < 10; i++) {
      const m = message('/r', `#${i}`);
      sent.push(m);
      expect(await store.append('acme', m)).toEqual({ message: m, duplicate: false });
    }
    expect(await store.recent('acme', '/r', 4)).toEqual(sent.slice(6));
    expect(await store.recent('acme', '/r', 50)).toEqual(sent);
  });

  it('keeps sites and rooms apart', async () => {
    const { store } = await open();
    const a = message('/r', 'acme /r');
    const b = message('/r', 'globex /r');
    const c = message('/s', 'acme /s');
    await store.append('acme', a);
    await store.append('globex', b);
    await store.append('acme', c);
    expect(await store.recent('acme', '/r', 50)).toEqual([a]);
    expect(await store.recent('globex', '/r', 50)).toEqual([b]);
    expect(await store.recent('acme', '/s', 50)).toEqual([c]);
    expect(await store.recent('acme', '/none', 50)).toEqual([]);
  });

  it('deduplicates a nonce per visitor and site, returning the original', async () => {
    const { store } = await open();
    const original = message('/r', 'first', 'alice');
    await store.append('acme', original, 'n1');
    const retry = message('/r', 'retry', 'alice');
    expect(await store.append('acme', retry, 'n1')).toEqual({ message: original, duplicate: true });
    expect(await store.findByNonce('acme', 'alice', 'n1')).toEqual(original);
    // Another visitor, or another site, may use the same nonce.
    expect((await store.append('acme', message('/r', 'b', 'bob'), 'n1')).duplicate).toBe(false);
    expect((await store.append('globex', message('/r', 'a', 'alice'), 'n1')).duplicate).toBe(false);
    expect(await store.recent('acme', '/r', 50)).toHaveLength(2);
  });

  it('prunes each room to about its retention', async () => {
    const { store } = await open(50);
    for (let i = 0; i < 300; i++) await store.append('acme', message('/busy', `#${i}`));
    const kept = await store.recent('acme', '/busy', 1000);
    expect(kept.length).toBeGreaterThanOrEqual(50);
    expect(kept.length).toBeLessThan(100);
    expect(kept[kept.length - 1]?.text).toBe('#299');
  });

  it('keeps messages across closing and reopening the file', async () => {
    const { store, storage, file } = await open();
    const m = message('/r', 'durable');
    await store.append('acme', m, 'nonce');
    await storage.close();
    await storage.close();
    const again = (await openFile(file)).messages;
    expect(await again.recent('acme', '/r', 50)).toEqual([m]);
    expect(await again.findByNonce('acme', 'alice', 'nonce')).toEqual(m);
  });

  it('pages newest first with a cursor, per site and optionally per room', async () => {
    const { store } = await open();
    const sent: Message[] = [];
    for (let i = 0; i < 5; i++) {
      const m = message(i % 2 ? '/odd' : '/even', `#${i}`);
      sent.push(m);
      await store.append('acme', m);
    }
    await store.append('globex', message('/even', 'elsewhere'));
    const first = await store.page('acme', { limit: 2 });
    expect(first.items.map((m) => m.text)).toEqual(['#4', '#3']);
    expect(first.next).not.toBeNull();
    const second = await store.page('acme', { limit: 2, before: first.next ?? undefined });
    expect(second.items.map((m) => m.text)).toEqual(['#2', '#1']);
    const last = await store.page('acme', { limit: 2, before: second.next ?? undefined });
    expect(last).toEqual({ items: [sent[0]], next: null });
    const even = await store.page('acme', { room: '/even', limit: 10 });
    expect(even.items.map((m) => m.text)).toEqual(['#4', '#2', '#0']);
    // A message id works as a cursor too.
    const byId = await store.page('acme', { limit: 10, before: sent[2]!.id });
    expect(byId.items.map((m) => m.text)).toEqual(['#1', '#0']);
  });

  it('deletes one message, or all of a visitor, and streams what is left oldest first', async () => {
    const { store } = await open();
    const a1 = message('/r', 'a1', 'alice');
    const b1 = message('/r', 'b1', 'bob');
    const a2 = message('/s', 'a2', 'alice');
    for (const m of [a1, b1, a2]) await store.append('acme', m);
    expect(await store.delete('acme', b1.id)).toEqual(b1);
    expect(await store.delete('acme', b1.id)).toBeUndefined();
    expect(await store.delete('globex', a1.id)).toBeUndefined();
    expect(await store.recent('acme', '/r', 50)).toEqual([a1]);
    const exported: Message[] = [];
    for await (const m of store.stream('acme')) exported.push(m);
    expect(exported).toEqual([a1, a2]);
    expect(await store.deleteByVisitor('acme', 'alice')).toEqual(
      expect.arrayContaining([
        { id: a1.id, room: '/r' },
        { id: a2.id, room: '/s' },
      ]),
    );
    expect(await store.get('acme', a2.id)).toBeUndefined();
  });
});
