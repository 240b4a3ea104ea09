/**
 * Payload schemas (backend/schemas.ts): every inbound payload is checked against PROTOCOL.md
 * before domain code sees it, answering `invalid_payload` or `too_long` as the protocol says.
 */
import { describe, expect, it } from 'vitest';
import {
  parseAuth,
  parseJoin,
  parseLeave,
  parseName,
  parseSend,
  parseTyping,
} from '../../backend/schemas.js';

const invalid = { ok: false, code: 'invalid_payload', message: expect.stringMatching(/\S/) };
const tooLong = { ok: false, code: 'too_long', message: expect.stringMatching(/\S/) };

describe('parseJoin', () => {
  it('trims the room', () => {
    expect(parseJoin({ room: ' /a ' })).toEqual({ ok: true, value: { room: '/a' } });
  });

  it.each<unknown>([null, undefined, 1, 'x', [], {}, { room: 1 }, { room: '' }, { room: '\n' }])(
    'refuses %j',
    (payload) => {
      expect(parseJoin(payload)).toEqual(invalid);
    },
  );
});

describe('parseSend', () => {
  it('trims the text and keeps the nonce', () => {
    expect(parseSend({ text: ' hi ', nonce: 'n' }, 2000)).toEqual({
      ok: true,
      value: { text: 'hi', nonce: 'n' },
    });
    expect(parseSend({ text: 'hi' }, 2000)).toEqual({
      ok: true,
      value: { text: 'hi', nonce: undefined },
    });
  });

  it('applies the configured limit after trimming, in characters', () => {
    expect(parseSend({ text: 'x'.repeat(11) }, 10)).toEqual(tooLong);
    expect(parseSend({ text: ` ${'x'.repeat(10)} ` }, 10)).toMatchObject({ ok: true });
    expect(parseSend({ text: '🙂'.repeat(10) }, 10)).toMatchObject({ ok: true });
  });

  it('keeps newlines inside a message', () => {
    expect(parseSend({ text: 'line 1\nline 2' }, 2000)).toMatchObject({
      ok: true,
      value: { text: 'line 1\nline 2' },
    });
  });

  it.each<unknown>([
    null,
    'hi',
    { text: '' },
    { text: '   ' },
    { text: 5 },
    { text: 'hi', nonce: 5 },
    { text: 'hi', nonce: 'n'.repeat(65) },
  ])('refuses %j', (payload) => {
    expect(parseSend(payload, 2000)).toEqual(invalid);
  });
});

describe('parseName', () => {
  it('trims the name', () => {
    expect(parseName({ name: '  Ada ' })).toEqual({ ok: true, value: 'Ada' });
  });

  it('answers too_long past 40 characters', () => {
    expect(parseName({ name: 'n'.repeat(41) })).toEqual(tooLong);
    expect(parseName({ name: 'n'.repeat(40) })).toMatchObject({ ok: true });
  });

  it.each<unknown>([null, 'Ada', { name: '' }, { name: ' ' }, { name: 'A\u0000' }, { name: 1 }])(
    'refuses %j',
    (payload) => {
      expect(parseName(payload)).toEqual(invalid);
    },
  );
});

describe('parseTyping', () => {
  it('accepts only a boolean flag', () => {
    expect(parseTyping({ typing: true })).toEqual({ ok: true, value: true });
    expect(parseTyping({ typing: false })).toEqual({ ok: true, value: false });
    expect(parseTyping({ typing: 'true' })).toEqual(invalid);
    expect(parseTyping(null)).toEqual(invalid);
  });
});

describe('parseLeave', () => {
  it('accepts an empty object and refuses non-objects', () => {
    expect(parseLeave({})).toMatchObject({ ok: true });
    expect(parseLeave(5)).toEqual(invalid);
    expect(parseLeave('x')).toEqual(invalid);
    expect(parseLeave([])).toEqual(invalid);
  });
});

describe('parseAuth', () => {
  it('reads a token and a valid, trimmed name', () => {
    expect(parseAuth({ token: 't', name: ' Ada ' })).toEqual({ token: 't', name: 'Ada' });
  });

  it('treats malformed fields as absent', () => {
    expect(parseAuth({ token: 5, name: 'n'.repeat(41) })).toEqual({
      token: undefined,
      name: undefined,
    });
    expect(parseAuth({ token: 'x'.repeat(257) })).toEqual({ token: undefined, name: undefined });
    expect(parseAuth(null)).toEqual({ token: undefined, name: undefined });
    expect(parseAuth('token')).toEqual({ token: undefined, name: undefined });
  });
});
