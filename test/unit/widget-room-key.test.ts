/**
 * Room keys: which pages share a chat room. These are the rules customers rely on when they
 * link to a page with a query string or a hash, or with and without a trailing slash.
 */
import { describe, expect, it } from 'vitest';
import { cleanRoomKey, deriveRoomKey, normalizePathname } from '../../widget/room-key.js';

const at = (pathname: string, title = 'A page') => ({
  location: { origin: 'https://example.com', pathname },
  title,
});

describe('normalizePathname', () => {
  it.each([
    ['/', '/'],
    ['', '/'],
    ['///', '/'],
    ['/a/b/', '/a/b'],
    ['/a/b//', '/a/b'],
    ['/a/b', '/a/b'],
    ['/a/b?x=1', '/a/b'],
    ['/a/b/#top', '/a/b'],
    ['/a/b?x=1#top', '/a/b'],
    ['a/b', '/a/b'],
    ['/caf%C3%A9/', '/caf%C3%A9'],
  ])('%j becomes %j', (input, expected) => {
    expect(normalizePathname(input)).toBe(expected);
  });
});

describe('cleanRoomKey', () => {
  it('trims and collapses whitespace, and turns control characters into spaces', () => {
    expect(cleanRoomKey('  Hello \n\t world\u0000!  ')).toBe('Hello world !');
  });

  it('gives undefined when nothing is left', () => {
    expect(cleanRoomKey(' \n ')).toBeUndefined();
    expect(cleanRoomKey('\u0001\u0002')).toBeUndefined();
  });

  it('cuts at 256 code points, counting an emoji as one', () => {
    const key = cleanRoomKey('😀'.repeat(300)) ?? '';
    expect(Array.from(key)).toHaveLength(256);
    expect(key.endsWith('😀')).toBe(true);
  });
});

describe('deriveRoomKey', () => {
  it('uses the pathname by default, without query, hash or trailing slash', () => {
    expect(deriveRoomKey({ mapping: 'pathname', ...at('/blog/post/') })).toBe('/blog/post');
    expect(deriveRoomKey({ mapping: 'pathname', ...at('/') })).toBe('/');
  });

  it('prefers an explicit room key, trimmed', () => {
    expect(deriveRoomKey({ room: '  launch-day ', mapping: 'pathname', ...at('/x') })).toBe(
      'launch-day',
    );
  });

  it('ignores an explicit key that is empty after cleaning', () => {
    expect(deriveRoomKey({ room: '   ', mapping: 'pathname', ...at('/x/') })).toBe('/x');
    expect(deriveRoomKey({ room: null, mapping: 'pathname', ...at('/x/') })).toBe('/x');
  });

  it('maps to origin and path with `url`', () => {
    expect(deriveRoomKey({ mapping: 'url', ...at('/a/?q=1') })).toBe('https://example.com/a');
    expect(deriveRoomKey({ mapping: 'url', ...at('/') })).toBe('https://example.com/');
  });

  it('maps to the title with `title`, falling back to the path for an empty title', () => {
    expect(deriveRoomKey({ mapping: 'title', ...at('/a', '  Release notes  ') })).toBe(
      'Release notes',
    );
    expect(deriveRoomKey({ mapping: 'title', ...at('/a/', '') })).toBe('/a');
  });
});
