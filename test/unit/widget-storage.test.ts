/**
 * Identity storage: localStorage when the page may use it, a per-tab store when it may not
 * (private modes and sandboxed frames throw on access), and never an exception into the chat.
 */
import { describe, expect, it } from 'vitest';
import { identityKey, openStore, type StorageHost } from '../../widget/storage.js';

/** A Map behind the Storage interface; `failWrites` makes it throw like a full or revoked one. */
class FakeStorage implements Storage {
  readonly map = new Map<string, string>();
  failWrites = false;
  get length(): number {
    return this.map.size;
  }
  clear(): void {
    this.map.clear();
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
  setItem(key: string, value: string): void {
    if (this.failWrites) throw new DOMException('full', 'QuotaExceededError');
    this.map.set(key, value);
  }
}

/** A host whose storage getter throws, as in a sandboxed frame. */
function blocked(name: 'localStorage' | 'sessionStorage', host: Record<string, unknown> = {}) {
  Object.defineProperty(host, name, {
    get() {
      throw new DOMException('denied', 'SecurityError');
    },
  });
  return host;
}

describe('openStore', () => {
  it('uses localStorage when it works, and leaves no probe behind', () => {
    const local = new FakeStorage();
    const store = openStore({ localStorage: local, sessionStorage: new FakeStorage() });
    expect(store.kind).toBe('local');
    store.set('k', 'v');
    expect(local.getItem('k')).toBe('v');
    expect([...local.map.keys()]).toEqual(['k']);
  });

  it('falls back to sessionStorage when localStorage throws', () => {
    const session = new FakeStorage();
    const host = blocked('localStorage', { sessionStorage: session }) as StorageHost;
    const store = openStore(host);
    expect(store.kind).toBe('session');
    store.set('k', 'v');
    expect(session.getItem('k')).toBe('v');
  });

  it('falls back to memory when both throw, and still keeps values for this tab', () => {
    const host = blocked('sessionStorage', blocked('localStorage')) as StorageHost;
    const store = openStore(host);
    expect(store.kind).toBe('memory');
    expect(store.get('k')).toBeNull();
    store.set('k', 'v');
    expect(store.get('k')).toBe('v');
  });

  it('treats a storage that refuses writes as unusable', () => {
    const local = new FakeStorage();
    local.failWrites = true;
    expect(openStore({ localStorage: local }).kind).toBe('memory');
  });

  it('keeps a value in memory when a later write fails', () => {
    const local = new FakeStorage();
    const store = openStore({ localStorage: local });
    local.failWrites = true;
    expect(() => store.set('k', 'v')).not.toThrow();
    expect(store.get('k')).toBe('v');
  });
});

describe('identityKey', () => {
  it('separates servers and sites', () => {
    expect(identityKey('https://chat.example.com', 'acme')).toBe(
      'pagechat:https://chat.example.com/acme',
    );
    expect(identityKey('https://a.example', 'acme')).not.toBe(
      identityKey('https://b.example', 'acme'),
    );
  });
});
