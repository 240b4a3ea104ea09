/**
 * The pure rules of a site's settings: which page origins may embed it, and which texts its
 * blocked words refuse. Compiled once when a site's settings load, then checked per handshake and
 * per message without allocating.
 */

/** `scheme://host[:port]`, lower-cased, default ports dropped; undefined when not an origin. */
export function normalizeOrigin(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.origin;
}

/** A pattern of `origins`: an exact origin, or `scheme://*.domain[:port]` for any subdomain. */
export const ORIGIN_PATTERN = /^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i;

/**
 * Whether `origin` (the handshake's Origin header) may embed a site with these allowed `origins`.
 * An empty list allows any page; a handshake without an Origin (not a browser) is not checked.
 * `https://*.acme.com` allows `https://a.acme.com` and `https://a.b.acme.com`, not `acme.com`.
 */
export function compileOrigins(
  origins: readonly string[],
): (origin: string | undefined) => boolean {
  if (origins.length === 0) return () => true;
  const exact = new Set<string>();
  const wildcards: { prefix: string; suffix: string }[] = [];
  for (const pattern of origins) {
    const star = pattern.indexOf('://*.');
    if (star === -1) {
      const normal = normalizeOrigin(pattern);
      if (normal) exact.add(normal);
      continue;
    }
    // Normalise through URL with a placeholder label, then split around it.
    const normal = normalizeOrigin(pattern.replace('://*.', '://wildcard-label.'));
    if (!normal) continue;
    const [prefix, suffix] = normal.split('wildcard-label') as [string, string];
    wildcards.push({ prefix, suffix });
  }
  return (origin) => {
    if (origin === undefined) return true;
    const normal = normalizeOrigin(origin);
    if (normal === undefined) return false;
    if (exact.has(normal)) return true;
    return wildcards.some(
      ({ prefix, suffix }) =>
        normal.startsWith(prefix) &&
        normal.endsWith(suffix) &&
        normal.length > prefix.length + suffix.length &&
        !normal.slice(prefix.length, normal.length - suffix.length).endsWith('.'),
    );
  };
}

// Zero-width and invisible formatting characters people insert to split a word: ZWSP, ZWNJ, ZWJ,
// word joiner, BOM, soft hyphen, Mongolian vowel separator, invisible times/separator/plus.
const INVISIBLE = /[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]/g;

/** The form blocked words are matched in: NFKC (look-alike letters fold), invisible removed, lower case. */
export function foldForMatching(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').toLowerCase();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A matcher for a site's blocked words: whole-word (not inside a longer word of letters or digits),
 * case-insensitive, ignoring zero-width characters, after NFKC normalisation.
 */
export function compileBlockedWords(words: readonly string[]): (text: string) => boolean {
  const folded = [...new Set(words.map(foldForMatching).filter((w) => w.length > 0))];
  if (folded.length === 0) return () => false;
  // Longest first, so "bad word" is tried before "bad".
  folded.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(
    `(?<![\\p{L}\\p{N}\\p{M}])(?:${folded.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}\\p{M}])`,
    'u',
  );
  return (text) => pattern.test(foldForMatching(text));
}
