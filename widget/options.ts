/**
 * Embed options: the script tag's `data-*` turned into `<page-chat>` attributes, and the parsers
 * the element reads those attributes with. Pure, so every accepted and refused spelling is
 * unit-tested; the script tag and an inline element go through the same rules.
 */
import { RESERVED_SITES, SITE_PATTERN } from '../backend/protocol.js';
import { ROOM_MAPPINGS, type RoomMapping } from './room-key.js';

export type Theme = 'auto' | 'light' | 'dark' | 'host';
export type Position = 'bottom-right' | 'bottom-left';
export type Layout = 'floating' | 'inline';
/** The two transports of PROTOCOL.md, by their Engine.IO names. */
export type Transport = 'websocket' | 'polling';

/**
 * WebSocket first, falling back to long-polling when it cannot connect: one round trip fewer than
 * Socket.IO's polling-then-upgrade default, and still working behind proxies that block WebSocket.
 */
export const DEFAULT_TRANSPORTS: readonly Transport[] = ['websocket', 'polling'];

/** How the room key is derived; `pathname` unless the value names another mapping. */
export function parseMapping(v: string | null | undefined): RoomMapping {
  const value = v?.trim().toLowerCase();
  return ROOM_MAPPINGS.find((m) => m === value) ?? 'pathname';
}

/**
 * `"polling"`, `"websocket"`, `"websocket,polling"`…: known names in the given order, duplicates
 * dropped. Anything unusable gives the default, so a typo never leaves the widget without a way in.
 */
export function parseTransports(v: string | null | undefined): Transport[] {
  const picked: Transport[] = [];
  for (const part of (v ?? '').split(/[\s,]+/)) {
    const name = DEFAULT_TRANSPORTS.find((t) => t === part.toLowerCase());
    if (name && !picked.includes(name)) picked.push(name);
  }
  return picked.length > 0 ? picked : [...DEFAULT_TRANSPORTS];
}

/** A boolean data attribute: present and not `"false"`/`"0"`/`"no"`/`"off"` means true. */
export function parseFlag(v: string | null | undefined): boolean {
  if (v == null) return false;
  return !/^(false|0|no|off)$/i.test(v.trim());
}

/** Why a site name cannot be used, in words for the console, or `undefined` when it can. */
export function siteProblem(
  site: string | null | undefined,
  attribute = 'data-site',
): string | undefined {
  if (site == null || site.trim() === '') {
    return `${attribute} is missing: add ${attribute}="your-site-name"`;
  }
  if (RESERVED_SITES.includes(site) || !SITE_PATTERN.test(site)) {
    return `${attribute}="${site}" is not a usable site name (1 to 40 of a-z, 0-9 and -; not "admin")`;
  }
  return undefined;
}

/**
 * The chat server's origin: an explicit `data-server` if it parses as an http(s) URL, else the
 * origin of the script's own `src` (the giscus way: the script knows where it came from), else
 * the page's origin. Paths are dropped: Socket.IO listens at the default `/socket.io/` path.
 */
export function resolveServer(
  explicit: string | null | undefined,
  scriptSrc: string | null | undefined,
  pageUrl: string,
): string {
  for (const candidate of [explicit, scriptSrc]) {
    if (!candidate) continue;
    try {
      const url = new URL(candidate, pageUrl);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    } catch {
      // Not a URL: try the next candidate.
    }
  }
  return new URL(pageUrl).origin;
}

/**
 * `data-*` keys of the script tag (as `HTMLElement.dataset` spells them) and the `<page-chat>`
 * attribute each one becomes. Values pass through as written; the element interprets them, so
 * the script tag and the element accept exactly the same values.
 */
const PASSED: Readonly<Record<string, string>> = {
  site: 'site',
  room: 'room',
  mapping: 'mapping',
  position: 'position',
  theme: 'theme',
  lang: 'lang',
  transports: 'transports',
  maxLength: 'max-length',
};

/**
 * The attributes of the floating `<page-chat>` the embed script mounts, from its tag's `data-*`
 * and its own `src` (which gives the server). Unknown keys are ignored.
 */
export function embedAttributes(
  data: Readonly<Record<string, string | undefined>>,
  scriptSrc: string | null | undefined,
  pageUrl: string,
): Record<string, string> {
  const attributes: Record<string, string> = {
    layout: 'floating',
    server: resolveServer(data['server'], scriptSrc, pageUrl),
  };
  for (const [key, name] of Object.entries(PASSED)) {
    const value = data[key]?.trim();
    if (value) attributes[name] = value;
  }
  if (parseFlag(data['open'])) attributes['open'] = '';
  return attributes;
}
