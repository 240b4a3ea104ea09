/**
 * The SQLite message store (backend/store/sqlite.ts) on a real database file: history order and
 * limits, per-site and per-room separation, nonce deduplication per visitor, retention, and
 * durability across reopening.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../backend/protocol.js';
import { openSqliteStore } from '../../backend/store/sqlite.js';
import type { MessageStore } from '../../backend/store/types.js';
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

async function open(retention = 1000): Promise<{ store: MessageStore; file: string }> {
  const file = join(await makeTempDir(), 'history.sqlite');
  return { store: track.server(openSqliteStore({ file, retention })), file };
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
    const { store, file } = await open();
    const m = message('/r', 'durable');
    await store.append('acme', m, 'nonce');
    await store.close();
    await store.close();
    const again = track.server(openSqliteStore({ file, retention: 1000 }));
    expect(await again.recent('acme', '/r', 50)).toEqual([m]);
    expect(await again.findByNonce('acme', 'alice', 'nonce')).toEqual(m);
  });
});
