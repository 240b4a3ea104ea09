/**
 * What the realtime layer knows about each site, read from storage once and cached: whether it is
 * served, its settings compiled into checks, its paused rooms and its bans. Handshakes and sends
 * consult the cache without touching storage.
 *
 * Changes reach the cache two ways: the process that makes a change refreshes the site at once,
 * and every process follows the storage's change feed (written by the API, the CLI and other
 * processes alike), so a change anywhere is in force everywhere within `pollMs`. A refresh
 * compares the old state with the new and reports the difference, so effects (kicks, paused rooms,
 * a deleted site) happen once per process whichever way the change arrived.
 */
import { LRUCache } from 'lru-cache';
import { DEFAULT_SITE_SETTINGS, type SiteSettings } from '../admin-protocol.js';
import type { Logger } from '../logger.js';
import type { BanRecord, Storage } from '../store/types.js';
import { compileBlockedWords, compileOrigins } from './rules.js';

export interface SiteState {
  site: string;
  /** Whether this server serves the site at all. */
  served: boolean;
  claimed: boolean;
  /** Hash of the current site key, to notice a rotation. */
  keyHash: string | null;
  settings: SiteSettings;
  readOnlyRooms: ReadonlySet<string>;
  bans: readonly BanRecord[];
  originAllowed(origin: string | undefined): boolean;
  blocks(text: string): boolean;
}

/** The ban covering a visitor (by id) or its address (by address ban), if any is in force. */
export function banFor(
  state: SiteState,
  visitorId: string,
  addressHash: string | undefined,
  now: number,
): BanRecord | undefined {
  return state.bans.find(
    (ban) =>
      (ban.expiresAt === null || ban.expiresAt > now) &&
      (ban.visitorId === visitorId ||
        (ban.byAddress && ban.addressHash !== null && ban.addressHash === addressHash)),
  );
}

/** Whether a room is paused, by itself or with its whole site. */
export function isReadOnly(state: SiteState, room: string): boolean {
  return state.settings.readOnly || state.readOnlyRooms.has(room);
}

export interface DirectoryOptions {
  storage: Storage;
  /** Serve unclaimed valid names with default settings. */
  openSites: boolean;
  /** `PAGECHAT_SITES`: when set, exactly these sites are served, claimed or not. */
  sites: readonly string[] | undefined;
  clock: () => number;
  logger: Logger;
  /** How often the change feed is read, in ms. @default 1000 */
  pollMs?: number;
  /** Sites kept in memory at most; others are read again when needed. @default 10000 */
  maxCached?: number;
}

export type ChangeListener = (
  site: string,
  before: SiteState | undefined,
  after: SiteState,
) => void;

const CHANGES_PER_POLL = 1000;
/** Change-feed rows older than this are deleted (every process has read them long since). */
const CHANGE_RETENTION_MS = 60 * 60 * 1000;

export class SiteDirectory {
  private readonly cache: LRUCache<string, SiteState>;
  private readonly loading = new Map<string, Promise<SiteState>>();
  private readonly listeners: ChangeListener[] = [];
  private readonly listed: ReadonlySet<string> | undefined;
  private lastSeq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polls = 0;
  private closed = false;

  constructor(private readonly options: DirectoryOptions) {
    this.cache = new LRUCache({ max: options.maxCached ?? 10_000 });
    this.listed = options.sites && new Set(options.sites);
  }

  /** Starts following the change feed from its current end. */
  async start(): Promise<void> {
    this.lastSeq = await this.options.storage.changes.head();
    this.schedule();
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** The cached state of a site, without reading storage. */
  peek(site: string): SiteState | undefined {
    return this.cache.get(site);
  }

  /** The state of a site: cached, or read once however many callers ask at the same time. */
  load(site: string): Promise<SiteState> {
    const cached = this.cache.get(site);
    if (cached) return Promise.resolve(cached);
    let pending = this.loading.get(site);
    if (!pending) {
      pending = this.read(site).finally(() => this.loading.delete(site));
      this.loading.set(site, pending);
    }
    return pending;
  }

  /** Reads a site again now and reports what changed to the listeners. */
  async refresh(site: string): Promise<SiteState> {
    const before = this.cache.get(site);
    const after = await this.read(site);
    for (const listener of this.listeners) {
      try {
        listener(site, before, after);
      } catch (error) {
        this.options.logger.error({ err: error, site }, 'applying a site change failed');
      }
    }
    return after;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async read(site: string): Promise<SiteState> {
    const { storage, clock } = this.options;
    const record = await storage.sites.get(site);
    const [readOnlyRooms, bans] = record
      ? await Promise.all([storage.sites.readOnlyRooms(site), storage.bans.active(site, clock())])
      : [[], []];
    const settings = record?.settings ?? DEFAULT_SITE_SETTINGS;
    const claimed = record !== undefined;
    const state: SiteState = {
      site,
      served: this.listed ? this.listed.has(site) : claimed || this.options.openSites,
      claimed,
      keyHash: record?.keyHash ?? null,
      settings,
      readOnlyRooms: new Set(readOnlyRooms),
      bans,
      originAllowed: compileOrigins(settings.origins),
      blocks: compileBlockedWords(settings.blockedWords),
    };
    if (!this.closed) this.cache.set(site, state);
    return state;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.poll(), this.options.pollMs ?? 1000);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const { storage, clock, logger } = this.options;
    try {
      const changes = await storage.changes.since(this.lastSeq, CHANGES_PER_POLL);
      const sites = new Set<string>();
      for (const change of changes) {
        sites.add(change.site);
        this.lastSeq = Math.max(this.lastSeq, change.seq);
      }
      for (const site of sites) {
        // A site nobody here has used since start-up has nothing to update; it loads when needed.
        if (this.cache.has(site)) await this.refresh(site);
      }
      if (++this.polls % 60 === 0) await storage.changes.prune(clock() - CHANGE_RETENTION_MS);
    } catch (error) {
      logger.warn({ err: error }, 'reading the change feed failed; retrying');
    }
    this.schedule();
  }
}
