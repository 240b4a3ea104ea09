/**
 * The 1.1 text rules (PROTOCOL.md): line breaks folded to LF, control characters and lone
 * surrogates refused with `invalid_payload`, names without bidirectional controls and with a
 * visible letter or digit. The stored message is exactly the acknowledged one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  foldLineBreaks,
  hasBidiControl,
  hasTextControl,
  hasVisibleLetter,
  isWellFormed,
} from '../../backend/protocol.js';
import { expectFailure } from '../helpers/assertions.js';
import { cleanup } from '../helpers/cleanup.js';
import { connect } from '../helpers/client.js';
import { startTestServer } from '../helpers/server.js';

afterEach(cleanup);

describe('the rules', () => {
  it('tell well-formed text, controls, bidi controls and visible letters apart', () => {
    expect(isWellFormed('a\ud83d\ude00b')).toBe(true);
    expect(isWellFormed('a\ud800b')).toBe(false);
    expect(isWellFormed('\udc00')).toBe(false);
    expect(foldLineBreaks('a\r\nb\rc\nd')).toBe('a\nb\nc\nd');
    expect(hasTextControl('tab\tand\nnewline')).toBe(false);
    expect(hasTextControl('nul\u0000')).toBe(true);
    expect(hasTextControl('esc\u001b[31m')).toBe(true);
    expect(hasTextControl('del\u007f')).toBe(true);
    expect(hasTextControl('c1\u0085')).toBe(true);
    expect(hasBidiControl('Eve\u202e')).toBe(true);
    expect(hasBidiControl('\u2067x')).toBe(true);
    expect(hasBidiControl('Ева')).toBe(false);
    expect(hasVisibleLetter('\u3164')).toBe(false);
    expect(hasVisibleLetter('\u3164 \u115f')).toBe(false);
    expect(hasVisibleLetter('...')).toBe(false);
    expect(hasVisibleLetter('7')).toBe(true);
    expect(hasVisibleLetter('李')).toBe(true);
  });
});

describe('message text', () => {
  it('folds CR LF and CR into LF, and stores exactly what it acknowledged', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    const ack = await a.request('message:send', { text: 'one\r\ntwo\rthree\tfour' });
    expect(ack).toMatchObject({ ok: true, message: { text: 'one\ntwo\nthree\tfour' } });
    const b = await connect(server.url, 'acme');
    expect((await b.join('/room')).history).toEqual([ack.ok ? ack.message : undefined]);
  });

  it.each([
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', '\udc00'],
    ['NUL', 'a\u0000b'],
    ['an escape sequence', 'x\u001b[2Jy'],
    ['DEL', 'a\u007f'],
    ['a C1 control', 'a\u009b'],
  ])('answers invalid_payload to %s, and stores nothing', async (_what, text) => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    await a.join('/room');
    expectFailure(await a.request('message:send', { text }), 'invalid_payload');
    const b = await connect(server.url, 'acme');
    expect((await b.join('/room')).history).toEqual([]);
  });
});

describe('names and rooms', () => {
  it.each([
    ['a right-to-left override', 'Eve\u202e'],
    ['an isolate', '\u2067Bob'],
    ['only a Hangul filler', '\u3164'],
    ['no letter or digit', '***'],
    ['a lone surrogate', 'Ann\ud800'],
  ])('refuses a name with %s', async (_what, name) => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    expectFailure(await a.request('name:set', { name }), 'invalid_payload');
    // Given at the handshake, such a name is ignored like any invalid one.
    const b = await connect(server.url, 'acme', { auth: { name } });
    expect(b.session.name).not.toBe(name.trim());
  });

  it('accepts names in any script', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    expect(await a.request('name:set', { name: 'محمد' })).toMatchObject({ ok: true });
    expect(await a.request('name:set', { name: '李雷 7' })).toMatchObject({ ok: true });
  });

  it('refuses a room key that is not well-formed', async () => {
    const server = await startTestServer();
    const a = await connect(server.url, 'acme');
    expectFailure(await a.request('join', { room: '/page\udfff' }), 'invalid_payload');
  });
});
