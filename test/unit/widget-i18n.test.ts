/**
 * The widget's words: language choice, placeholders, plurals, and a human sentence for every
 * error code the server can send.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../backend/protocol.js';
import { errorText, LANGS, plural, resolveLang, translate, typingText } from '../../widget/i18n.js';

describe('resolveLang', () => {
  it('takes the first supported candidate by its primary subtag', () => {
    expect(resolveLang('fr-CA')).toBe('fr');
    expect(resolveLang('', 'ja', 'FR')).toBe('fr');
    expect(resolveLang(undefined, 'en-GB', 'fr')).toBe('en');
  });

  it('falls back to English', () => {
    expect(resolveLang('ja', null, 'x')).toBe('en');
    expect(resolveLang()).toBe('en');
  });
});

/** U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE around a visitor's words. */
const iso = (s: string): string => `\u2068${s}\u2069`;

describe('translate', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(translate('en', 'joined', { name: 'Ada' })).toBe(`${iso('Ada')} joined`);
    expect(translate('fr', 'said', { name: 'Ada', text: 'Salut' })).toBe(
      `${iso('Ada')} : ${iso('Salut')}`,
    );
    expect(translate('en', 'as')).toBe('You are {name}');
  });

  it('does not interpret placeholders inside the values', () => {
    expect(translate('en', 'said', { name: '{text}', text: 'x' })).toBe(
      `${iso('{text}')}: ${iso('x')}`,
    );
  });

  it('isolates visitors’ words, so bidi controls and RTL names cannot reorder the sentence', () => {
    const eve = 'Eve\u202e';
    const joined = translate('en', 'joined', { name: eve });
    expect(joined).toBe(`\u2068${eve}\u2069 joined`);
    const said = translate('en', 'said', { name: 'אבי', text: 'invoice_\u202efdp.exe' });
    expect(said).toBe('\u2068אבי\u2069: \u2068invoice_\u202efdp.exe\u2069');
  });

  it('formats numbers for the language, without isolating them', () => {
    expect(translate('en', 'chars', { n: 1234 })).toBe('1,234 characters left');
    expect(translate('fr', 'chars', { n: 1234 })).toBe('1\u202f234 caractères restants');
  });
});

describe('plural', () => {
  it('follows each language: French counts zero as singular', () => {
    expect(plural('en', 'people', 1)).toBe('1 person here');
    expect(plural('en', 'people', 0)).toBe('0 people here');
    expect(plural('fr', 'people', 0)).toBe('0 personne ici');
    expect(plural('fr', 'people', 2)).toBe('2 personnes ici');
    expect(plural('en', 'unread', 1200)).toBe('1,200 unread messages');
  });
});

describe('typingText', () => {
  it('names one or two people, and stops naming beyond', () => {
    expect(typingText('en', [])).toBe('');
    expect(typingText('en', ['Ada'])).toBe(`${iso('Ada')} is typing…`);
    expect(typingText('en', ['Ada', 'Bo'])).toBe(`${iso('Ada')} and ${iso('Bo')} are typing…`);
    expect(typingText('en', ['Eve\u202e'])).toBe(`${iso('Eve\u202e')} is typing…`);
    expect(typingText('fr', ['Ada', 'Bo', 'Cy'])).toBe('Plusieurs personnes écrivent…');
  });
});

describe('errorText', () => {
  it('has words for every error code in every language', () => {
    for (const lang of LANGS) {
      for (const code of ERROR_CODES) {
        const text = errorText(lang, code, { retryAfterMs: 1500, max: 2000 });
        expect(text).not.toMatch(/[{}]/);
        expect(text.length).toBeGreaterThan(5);
      }
    }
  });

  it('says when to retry, rounded up to whole seconds', () => {
    expect(errorText('en', 'rate_limited', { retryAfterMs: 2100 })).toBe(
      'Too fast. Try again in 3 s.',
    );
    expect(errorText('en', 'rate_limited', { retryAfterMs: 10 })).toContain('in 1 s');
    expect(errorText('en', 'too_long', { max: 2000 })).toBe('Too long: at most 2,000 characters.');
  });
});
