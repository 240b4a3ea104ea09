/**
 * Room keys and site names: the pure checks applied to every key and namespace a client sends.
 */
import { isWellFormed, LIMITS, RESERVED_SITES, SITE_PATTERN } from './protocol.js';

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const SURROGATE_PAIR = /[\ud800-\udbff][\udc00-\udfff]/g;

/** True when `s` holds a control character; room keys and names may not. */
export function hasControlCharacters(s: string): boolean {
  return CONTROL.test(s);
}

/** Length in Unicode code points, so an emoji counts as one character as a reader would count it. */
export function characterCount(s: string): number {
  const pairs = s.match(SURROGATE_PAIR);
  return s.length - (pairs ? pairs.length : 0);
}

export type RoomKeyResult = { ok: true; room: string } | { ok: false; reason: string };

/** Trims a room key and checks it against the protocol: 1 to 256 characters, no control characters. */
export function normalizeRoomKey(raw: string): RoomKeyResult {
  if (!isWellFormed(raw)) return { ok: false, reason: 'room must be well-formed UTF-16' };
  const room = raw.trim();
  if (room.length === 0) return { ok: false, reason: 'room must not be empty' };
  if (characterCount(room) > LIMITS.roomMax) {
    return { ok: false, reason: `room must be at most ${LIMITS.roomMax} characters` };
  }
  if (hasControlCharacters(room))
    return { ok: false, reason: 'room must not contain control characters' };
  return { ok: true, room };
}

export type SiteCheck = 'ok' | 'invalid' | 'reserved';

/** Checks a site name (a namespace without its leading slash). */
export function checkSiteName(site: string): SiteCheck {
  if (!SITE_PATTERN.test(site)) return 'invalid';
  if (RESERVED_SITES.includes(site)) return 'reserved';
  return 'ok';
}
