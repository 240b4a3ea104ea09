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

describe('translate', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(translate('en', 'joined', { name: 'Ada' })).toBe('Ada joined');
    expect(translate('fr', 'said', { name: 'Ada', text: 'Salut' })).toBe('Ada : Salut');
    expect(translate('en', 'as')).toBe('You are {name}');
  });

  it('does not interpret placeholders inside the values', () => {
    expect(translate('en', 'said', { name: '{text}', text: 'x' })).toBe('{text}: x');
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
    expect(typingText('en', ['Ada'])).toBe('Ada is typing…');
    expect(typingText('en', ['Ada', 'Bo'])).toBe('Ada and Bo are typing…');
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
