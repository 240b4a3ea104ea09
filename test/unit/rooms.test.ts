/**
 * Room keys and site names (backend/rooms.ts) against PROTOCOL.md: room keys are 1 to 256
 * characters after trimming with no control characters; sites match the site pattern and are not
 * reserved.
 */
import { describe, expect, it } from 'vitest';
import { SITE_PATTERN } from '../../backend/protocol.js';
import {
  characterCount,
  checkSiteName,
  hasControlCharacters,
  normalizeRoomKey,
} from '../../backend/rooms.js';

describe('normalizeRoomKey', () => {
  it('trims and keeps the key otherwise exactly', () => {
    expect(normalizeRoomKey('  /Docs/Intro?x=1 \t')).toEqual({ ok: true, room: '/Docs/Intro?x=1' });
    expect(normalizeRoomKey('/a b')).toEqual({ ok: true, room: '/a b' });
  });

  it('accepts 1 and 256 characters, refuses 0 and 257', () => {
    expect(normalizeRoomKey('x')).toEqual({ ok: true, room: 'x' });
    expect(normalizeRoomKey('x'.repeat(256))).toEqual({ ok: true, room: 'x'.repeat(256) });
    expect(normalizeRoomKey('')).toMatchObject({ ok: false });
    expect(normalizeRoomKey('   ')).toMatchObject({ ok: false });
    expect(normalizeRoomKey('x'.repeat(257))).toMatchObject({ ok: false });
  });

  it('counts 256 characters after trimming, not before', () => {
    expect(normalizeRoomKey(` ${'x'.repeat(256)} `)).toMatchObject({ ok: true });
  });

  it('counts an emoji as one character', () => {
    expect(normalizeRoomKey('🙂'.repeat(256))).toMatchObject({ ok: true });
    expect(normalizeRoomKey('🙂'.repeat(257))).toMatchObject({ ok: false });
  });

  it.each(['\u0000', '\u0007', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u2028'])(
    'refuses the control character U+%s inside a key',
    (c) => {
      const result = normalizeRoomKey(`/a${c}b`);
      expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/\S/) });
    },
  );
});

describe('hasControlCharacters and characterCount', () => {
  it('find control characters and nothing else', () => {
    expect(hasControlCharacters('plain text, café 日本 🙂')).toBe(false);
    expect(hasControlCharacters('tab\there')).toBe(true);
  });

  it('count code points', () => {
    expect(characterCount('abc')).toBe(3);
    expect(characterCount('🙂🙂')).toBe(2);
    expect(characterCount('')).toBe(0);
  });
});

describe('checkSiteName', () => {
  it.each(['a', 'acme', 'my-site', '0', 'a1-b2', 'x'.repeat(40)])('accepts %s', (site) => {
    expect(checkSiteName(site)).toBe('ok');
    expect(SITE_PATTERN.test(site)).toBe(true);
  });

  it.each(['', 'Acme', 'bad_name', '-x', 'x-', 'a.b', 'a b', 'x'.repeat(41), 'café'])(
    'refuses %j as invalid',
    (site) => {
      expect(checkSiteName(site)).toBe('invalid');
    },
  );

  it('refuses admin as reserved', () => {
    expect(checkSiteName('admin')).toBe('reserved');
  });
});
