/**
 * Where the visitor's token and chosen name live: localStorage when the page may use it, else
 * sessionStorage, else memory. Private modes, sandboxed frames and blocked third-party storage
 * make storage throw on access; the chat must keep working there with a per-tab identity.
 * Never a cookie: the widget sends no credentials and needs none.
 */

/** The part of the Storage API the widget uses. */
export interface KeyValueStore {
  /** Which backing store answered: `local` keeps the identity across visits, the others do not. */
  readonly kind: 'local' | 'session' | 'memory';
  get(key: string): string | null;
  set(key: string, value: string): void;
}

/** Where storages are found; `window` in the browser, a stand-in in tests. */
export interface StorageHost {
  readonly localStorage?: Storage;
  readonly sessionStorage?: Storage;
}

const PROBE = 'pagechat:probe';

/** The storage behind `name`, if reading the property and a write/remove round trip both work. */
function usable(host: StorageHost, name: 'localStorage' | 'sessionStorage'): Storage | undefined {
  try {
    const storage = host[name];
    if (!storage) return undefined;
    storage.setItem(PROBE, '1');
    storage.removeItem(PROBE);
    return storage;
  } catch {
    return undefined;
  }
}

function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return {
    kind: 'memory',
    get: (key) => map.get(key) ?? null,
    set: (key, value) => void map.set(key, value),
  };
}

/**
 * The best store this page allows. Reads and writes that fail later (quota, a storage cleared
 * under our feet) fall back to memory for that value rather than throwing into the chat.
 */
export function openStore(host: StorageHost): KeyValueStore {
  for (const [name, kind] of [
    ['localStorage', 'local'],
    ['sessionStorage', 'session'],
  ] as const) {
    const storage = usable(host, name);
    if (!storage) continue;
    const memory = memoryStore();
    return {
      kind,
      get(key) {
        try {
          return storage.getItem(key) ?? memory.get(key);
        } catch {
          return memory.get(key);
        }
      },
      set(key, value) {
        memory.set(key, value);
        try {
          storage.setItem(key, value);
        } catch {
          // Full or revoked: the in-memory copy keeps this tab going.
        }
      },
    };
  }
  return memoryStore();
}

/**
 * The storage key prefix for one site on one chat server. Tokens are scoped to a site by the
 * server, and two servers could serve sites of the same name, so both go in the key.
 */
export function identityKey(serverOrigin: string, site: string): string {
  return `pagechat:${serverOrigin}/${site}`;
}
