/**
 * Everything an owner or operator can do to a site (ADMIN-API.md), in one place the HTTP API and
 * the CLI share: claim, settings, keys, deletion, rooms, messages, bans, erasure, export, audit.
 *
 * Each action writes storage, appends to the audit log, and records a change in the feed, so every
 * process (and a server the CLI runs beside) picks it up; when a `SiteDirectory` is attached the
 * acting process also applies it at once. Failures are `ApiError`s carrying an ADMIN-API code.
 */
import {
  DEFAULT_SITE_SETTINGS,
  type Actor,
  type ApiErrorCode,
  type AuditEntry,
  type Ban,
  type Site,
  type SiteSettings,
} from '../admin-protocol.js';
import type { Message } from '../protocol.js';
import { checkSiteName } from '../rooms.js';
import {
  publicSite,
  type BanRecord,
  type ChangeKind,
  type Page,
  type Storage,
} from '../store/types.js';
import type { SiteDirectory } from './directory.js';
import { generateSiteKey, hashKey, isOperatorToken, sameHash } from './keys.js';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** With `rate_limited`: milliseconds until a retry may succeed. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Who is asking: the operator (any site), or the owner of one site. */
export type Principal = { actor: 'operator' } | { actor: 'owner'; site: string };

export interface ModerationEffects {
  /** Tells the message's room (and moderators) that it was deleted. */
  deleted(site: string, room: string, id: string): void;
}

export interface SiteServiceOptions {
  storage: Storage;
  clock: () => number;
  newId: () => string;
  operatorToken: string | undefined;
  /** Present in a serving process: changes apply here at once, not only at the next poll. */
  directory?: SiteDirectory;
  effects?: ModerationEffects;
  /** The address (keyed hash) a visitor was last seen with, from live connections first. */
  lastAddress?: (site: string, visitorId: string) => Promise<string | undefined>;
}

export interface BanInput {
  visitorId?: string | undefined;
  messageId?: string | undefined;
  durationMs?: number | undefined;
  byAddress?: boolean | undefined;
  reason?: string | undefined;
}

export class SiteService {
  constructor(private readonly options: SiteServiceOptions) {}

  /** Connects the realtime layer once it exists (it needs this service to authenticate). */
  attach(parts: Pick<SiteServiceOptions, 'effects' | 'lastAddress'>): void {
    Object.assign(this.options, parts);
  }

  /** Resolves bearer credentials; undefined when they are not valid for anything. */
  async authenticate(credential: string): Promise<Principal | undefined> {
    const { storage, operatorToken } = this.options;
    if (isOperatorToken(operatorToken, credential)) return { actor: 'operator' };
    const hash = hashKey(credential);
    const site = await storage.sites.siteForKeyHash(hash);
    if (site === undefined) return undefined;
    const record = await storage.sites.get(site);
    return record?.keyHash && sameHash(record.keyHash, hash) ? { actor: 'owner', site } : undefined;
  }

  /** Throws `forbidden` unless `who` may act on `site`. */
  authorize(who: Principal, site: string): Actor {
    if (who.actor === 'owner' && who.site !== site) {
      throw new ApiError('forbidden', 'this key is for another site');
    }
    return who.actor;
  }

  async createSite(
    site: string,
    settings: Partial<SiteSettings> | undefined,
    actor: Actor,
  ): Promise<{ site: Site; key: string }> {
    if (checkSiteName(site) !== 'ok') {
      throw new ApiError(
        'invalid_site',
        `the site name "${site}" is not valid or is reserved (1 to 40 of a-z, 0-9 and -)`,
      );
    }
    const key = generateSiteKey();
    const record = {
      site,
      createdAt: this.options.clock(),
      settings: { ...DEFAULT_SITE_SETTINGS, ...settings },
      keyHash: hashKey(key),
    };
    if (!(await this.options.storage.sites.create(record))) {
      throw new ApiError('site_taken', `the site "${site}" is already claimed`);
    }
    await this.audit(site, actor, 'site.create', site, { settings: record.settings });
    await this.changed(site, 'site');
    return { site: publicSite(record), key };
  }

  async listSites(): Promise<Site[]> {
    return this.options.storage.sites.list();
  }

  async getSite(site: string): Promise<Site> {
    const record = await this.options.storage.sites.get(site);
    if (!record) throw new ApiError('not_found', `no claimed site "${site}"`);
    return publicSite(record);
  }

  async updateSettings(site: string, patch: Partial<SiteSettings>, actor: Actor): Promise<Site> {
    const current = await this.getSite(site);
    const settings = { ...current.settings, ...patch };
    await this.options.storage.sites.updateSettings(site, settings);
    await this.audit(site, actor, 'site.settings', site, { changed: patch });
    await this.changed(site, 'site');
    return { ...current, settings };
  }

  async deleteSite(site: string): Promise<void> {
    if (!(await this.options.storage.sites.delete(site))) {
      throw new ApiError('not_found', `no claimed site "${site}"`);
    }
    // The site's own audit log went with it; the change feed still tells every process.
    await this.changed(site, 'deleted');
  }

  async rotateKey(site: string, actor: Actor): Promise<string> {
    await this.getSite(site);
    const key = generateSiteKey();
    await this.options.storage.sites.setKeyHash(site, hashKey(key));
    await this.audit(site, actor, 'key.rotate', site, {});
    await this.changed(site, 'key');
    return key;
  }

  async setRoomState(
    site: string,
    room: string,
    readOnly: boolean,
    actor: Actor,
  ): Promise<{ room: string; readOnly: boolean }> {
    await this.getSite(site);
    await this.options.storage.sites.setRoomReadOnly(site, room, readOnly, this.options.clock());
    await this.audit(site, actor, readOnly ? 'room.pause' : 'room.reopen', room, {});
    await this.changed(site, 'rooms');
    return { room, readOnly };
  }

  async listMessages(
    site: string,
    query: { room?: string; before?: string; limit: number },
  ): Promise<Page<Message>> {
    await this.getSite(site);
    return this.options.storage.messages.page(site, query);
  }

  async deleteMessage(site: string, id: string, actor: Actor): Promise<void> {
    await this.getSite(site);
    const message = await this.options.storage.messages.delete(site, id);
    if (!message) throw new ApiError('not_found', `no message "${id}" on this site`);
    this.options.effects?.deleted(site, message.room, message.id);
    await this.audit(site, actor, 'message.delete', id, {
      room: message.room,
      visitorId: message.visitor.id,
    });
  }

  async ban(site: string, input: BanInput, actor: Actor): Promise<Ban> {
    await this.getSite(site);
    const { storage, clock, newId } = this.options;
    let visitorId = input.visitorId;
    if (input.messageId !== undefined) {
      const message = await storage.messages.get(site, input.messageId);
      if (!message) throw new ApiError('not_found', `no message "${input.messageId}" on this site`);
      visitorId = message.visitor.id;
    }
    if (visitorId === undefined) {
      throw new ApiError('invalid_payload', 'give exactly one of visitorId and messageId');
    }
    const address = await this.lastAddress(site, visitorId);
    if (address === undefined && input.messageId === undefined) {
      throw new ApiError('not_found', `no visitor "${visitorId}" has been seen on this site`);
    }
    const byAddress = input.byAddress ?? true;
    const now = clock();
    const ban: BanRecord = {
      id: newId(),
      site,
      visitorId,
      byAddress,
      addressHash: byAddress ? (address ?? null) : null,
      reason: input.reason ?? null,
      createdAt: now,
      expiresAt: input.durationMs === undefined ? null : now + input.durationMs,
    };
    await storage.bans.create(ban);
    await this.audit(site, actor, 'ban.create', visitorId, {
      banId: ban.id,
      byAddress,
      expiresAt: ban.expiresAt,
      reason: ban.reason,
      ...(input.messageId === undefined ? {} : { messageId: input.messageId }),
    });
    await this.changed(site, 'bans');
    return publicBan(ban);
  }

  async listBans(site: string): Promise<Ban[]> {
    await this.getSite(site);
    const bans = await this.options.storage.bans.active(site, this.options.clock());
    return bans.map(publicBan);
  }

  async liftBan(site: string, id: string, actor: Actor): Promise<void> {
    await this.getSite(site);
    if (!(await this.options.storage.bans.delete(site, id))) {
      throw new ApiError('not_found', `no ban "${id}" on this site`);
    }
    await this.audit(site, actor, 'ban.lift', id, {});
    await this.changed(site, 'bans');
  }

  async eraseVisitor(site: string, visitorId: string, actor: Actor): Promise<number> {
    await this.getSite(site);
    const { storage, effects } = this.options;
    const deleted = await storage.messages.deleteByVisitor(site, visitorId);
    if (deleted.length === 0 && (await this.lastAddress(site, visitorId)) === undefined) {
      throw new ApiError('not_found', `no visitor "${visitorId}" has been seen on this site`);
    }
    for (const { room, id } of deleted) effects?.deleted(site, room, id);
    await this.audit(site, actor, 'visitor.erase', visitorId, { deleted: deleted.length });
    return deleted.length;
  }

  /** Every kept message of the site (or one room), oldest first, read lazily. */
  async export(
    site: string,
    room: string | undefined,
    actor: Actor,
  ): Promise<AsyncIterable<Message>> {
    await this.getSite(site);
    await this.audit(site, actor, 'export', room ?? null, {});
    return this.options.storage.messages.stream(site, room);
  }

  async auditLog(
    site: string,
    query: { before?: string; limit: number },
  ): Promise<Page<AuditEntry>> {
    await this.getSite(site);
    return this.options.storage.audit.page(site, query);
  }

  private async lastAddress(site: string, visitorId: string): Promise<string | undefined> {
    const live = await this.options.lastAddress?.(site, visitorId);
    return live ?? this.options.storage.visitors.lastAddress(site, visitorId);
  }

  private async audit(
    site: string,
    actor: Actor,
    action: string,
    target: string | null,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.options.storage.audit.append(site, {
      id: this.options.newId(),
      at: this.options.clock(),
      actor,
      action,
      target,
      detail,
    });
  }

  private async changed(site: string, kind: ChangeKind): Promise<void> {
    await this.options.storage.changes.record(site, kind, this.options.clock());
    await this.options.directory?.refresh(site);
  }
}

function publicBan(ban: BanRecord): Ban {
  return {
    id: ban.id,
    visitorId: ban.visitorId,
    byAddress: ban.byAddress,
    reason: ban.reason,
    createdAt: ban.createdAt,
    expiresAt: ban.expiresAt,
  };
}
