/**
 * Room keys: how a page becomes a chat room. Pure functions, so the rules customers rely on
 * ("`/a/b/` and `/a/b?x=1` are the same room") are unit-tested without a browser.
 */
import { LIMITS } from '../backend/protocol.js';

/** How the widget derives the room key from the page when no explicit `room` is given. */
export type RoomMapping = 'pathname' | 'url' | 'title';

export const ROOM_MAPPINGS: readonly RoomMapping[] = ['pathname', 'url', 'title'];

// C0 and C1 control characters, DEL and the Unicode line/paragraph separators: the protocol
// refuses room keys holding any of them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * A path with query and hash dropped and trailing slashes removed, so `/a/b/`, `/a/b?x=1` and
 * `/a/b#top` share one room. `/` stays `/`, and a missing leading slash is added.
 */
export function normalizePathname(path: string): string {
  const bare = path.replace(/[?#].*$/s, '');
  const trimmed = bare.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/**
 * A key the server accepts: control characters become spaces, runs of whitespace collapse, and
 * the result is cut to the protocol's limit in code points (as the server counts). Returns
 * `undefined` for a key with nothing left, so callers fall back to another mapping.
 */
export function cleanRoomKey(raw: string): string | undefined {
  const spaced = raw.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  const points = Array.from(spaced);
  const key = (points.length > LIMITS.roomMax ? points.slice(0, LIMITS.roomMax).join('') : spaced)
    .trim()
    .normalize();
  return key === '' ? undefined : key;
}

export interface RoomSource {
  /** An explicit key (`data-room` / the `room` attribute); wins over the mapping when usable. */
  room?: string | null | undefined;
  mapping: RoomMapping;
  location: { origin: string; pathname: string };
  title: string;
}

/** The room key for a page: the explicit key if usable, else the mapping, else the pathname. */
export function deriveRoomKey(source: RoomSource): string {
  const explicit = source.room == null ? undefined : cleanRoomKey(source.room);
  if (explicit !== undefined) return explicit;
  const path = normalizePathname(source.location.pathname);
  switch (source.mapping) {
    case 'url':
      return cleanRoomKey(source.location.origin + path) ?? path;
    case 'title':
      return cleanRoomKey(source.title) ?? cleanRoomKey(path) ?? '/';
  }
  // The one mapping left (checked at compile time, so a new mapping cannot fall through here).
  void (source.mapping satisfies 'pathname');
  return cleanRoomKey(path) ?? '/';
}
