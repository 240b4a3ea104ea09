/**
 * The widget's words: which language is picked, placeholders, plurals by each language's own
 * rules, and that every language file says everything, in the right direction.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../backend/protocol.js';
import {
  candidateCodes,
  errorText,
  loadLanguage,
  plural,
  translate,
  typingText,
  type Language,
  type Words,
} from '../../widget/i18n.js';
import en from '../../widget/lang/en.js';
import fr from '../../widget/lang/fr.js';

const EN: Language = { code: 'en', words: en };
const FR: Language = { code: 'fr', words: fr };

const langDir = fileURLToPath(new URL('../../widget/lang/', import.meta.url));
const CODES = readdirSync(langDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));

describe('choosing the language', () => {
  it('tries each tag as written, then its primary subtag, then English', () => {
    expect(candidateCodes('pt-BR', 'fr')).toEqual(['pt-br', 'pt', 'fr', 'en']);
    expect(candidateCodes('', null, 'zh_TW')).toEqual(['zh-tw', 'zh', 'en']);
    expect(candidateCodes()).toEqual(['en']);
  });

  it('ignores what is not a language tag, so a page cannot name another file', () => {
    expect(candidateCodes('../page-chat', 'fr/../../x', 'x'.repeat(12), ' DE ')).toEqual([
      'de',
      'en',
    ]);
  });

  it('loads the first language it speaks, by primary subtag, English when none', async () => {
    expect((await loadLanguage('fr-CA')).code).toBe('fr');
    expect((await loadLanguage('', 'xx', 'FR')).code).toBe('fr');
    expect((await loadLanguage('tlh', 'x-pirate')).code).toBe('en');
    expect((await loadLanguage()).words.title).toBe(en.title);
  });

  it('ships at least twelve languages, right-to-left ones among them', async () => {
    expect(CODES.length).toBeGreaterThanOrEqual(12);
    for (const code of ['en', 'fr', 'es', 'de', 'it', 'pt', 'nl', 'pl', 'ja', 'zh', 'ar']) {
      expect(CODES).toContain(code);
    }
    expect((await loadLanguage('ar')).words.dir).toBe('rtl');
    expect((await loadLanguage('ja')).words.dir).toBe('ltr');
  });
});

/** U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE around a visitor's words. */
const iso = (s: string): string => `\u2068${s}\u2069`;

describe('translate', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(translate(EN, 'joined', { name: 'Ada' })).toBe(`${iso('Ada')} joined`);
    expect(translate(FR, 'said', { name: 'Ada', text: 'Salut' })).toBe(
      `${iso('Ada')} : ${iso('Salut')}`,
    );
    expect(translate(EN, 'as')).toBe('You are {name}');
  });

  it('does not interpret placeholders inside the values', () => {
    expect(translate(EN, 'said', { name: '{text}', text: 'x' })).toBe(
      `${iso('{text}')}: ${iso('x')}`,
    );
  });

  it('isolates visitors’ words, so bidi controls and RTL names cannot reorder the sentence', () => {
    const eve = 'Eve\u202e';
    expect(translate(EN, 'joined', { name: eve })).toBe(`\u2068${eve}\u2069 joined`);
    const said = translate(EN, 'said', { name: 'אבי', text: 'invoice_\u202efdp.exe' });
    expect(said).toBe('\u2068אבי\u2069: \u2068invoice_\u202efdp.exe\u2069');
  });

  it('formats numbers for the language, without isolating them', () => {
    expect(plural(EN, 'chars', 1234)).toBe('1,234 characters left');
    expect(plural(FR, 'chars', 1234)).toBe('1\u202f234 caractères restants');
  });
});

describe('plural', () => {
  it('follows each language’s own rules', async () => {
    expect(plural(EN, 'people', 1)).toBe('1 person here');
    expect(plural(EN, 'people', 0)).toBe('0 people here');
    // French counts zero as singular.
    expect(plural(FR, 'people', 0)).toBe('0 personne ici');
    expect(plural(FR, 'people', 2)).toBe('2 personnes ici');
    expect(plural(EN, 'unread', 1200)).toBe('1,200 unread messages');
    // Polish has a form for 2–4 and another for 5–21: they must differ.
    const pl = await loadLanguage('pl');
    expect(plural(pl, 'people', 3)).not.toBe(plural(pl, 'people', 5));
    // Arabic has six forms; numbers are written as Intl writes them for Arabic.
    const ar = await loadLanguage('ar');
    expect(plural(ar, 'people', 2)).not.toBe(plural(ar, 'people', 11));
    expect(plural(ar, 'people', 3)).toContain((3).toLocaleString('ar'));
    // A million in French: "1 000 000 de personnes".
    expect(plural(FR, 'people', 1_000_000)).toMatch(/ de personnes ici$/);
  });
});

describe('typingText', () => {
  it('names one or two people, and stops naming beyond', () => {
    expect(typingText(EN, [])).toBe('');
    expect(typingText(EN, ['Ada'])).toBe(`${iso('Ada')} is typing…`);
    expect(typingText(EN, ['Ada', 'Bo'])).toBe(`${iso('Ada')} and ${iso('Bo')} are typing…`);
    expect(typingText(EN, ['Eve\u202e'])).toBe(`${iso('Eve\u202e')} is typing…`);
    expect(typingText(FR, ['Ada', 'Bo', 'Cy'])).toBe('Plusieurs personnes écrivent…');
  });
});

describe('errorText', () => {
  it('says when to retry, rounded up to whole seconds', () => {
    expect(errorText(EN, 'rate_limited', { retryAfterMs: 2100 })).toBe(
      'Too fast. Try again in 3 s.',
    );
    expect(errorText(EN, 'rate_limited', { retryAfterMs: 10 })).toContain('in 1 s');
    expect(errorText(EN, 'too_long', { max: 2000 })).toBe('Too long: at most 2,000 characters.');
  });
});

/** The `{placeholders}` of a sentence, sorted. */
const placeholders = (s: string): string[] =>
  [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe.each(CODES)('language file %s', (code) => {
  it('says everything English says, with the same placeholders and its plural forms', async () => {
    const { words } = await loadLanguage(code);
    expect(Object.keys(words).sort()).toEqual(Object.keys(en).sort());
    const categories = new Intl.PluralRules(code).resolvedOptions().pluralCategories;
    for (const [key, english] of Object.entries(en) as [keyof Words, Words[keyof Words]][]) {
      const said = words[key];
      if (typeof english === 'string') {
        expect(typeof said, key).toBe('string');
        expect(placeholders(said as string), `${code} ${key}`).toEqual(placeholders(english));
        expect((said as string).trim().length, `${code} ${key}`).toBeGreaterThan(0);
      } else {
        const forms = said as Record<string, string>;
        expect(Object.keys(forms).sort(), `${code} ${key}`).toEqual([...categories].sort());
        for (const form of Object.values(forms)) expect(placeholders(form)).toEqual(['n']);
      }
    }
    for (const error of ERROR_CODES) {
      expect(errorText({ code, words }, error, { retryAfterMs: 1500, max: 2000 })).not.toMatch(
        /[{}]/,
      );
    }
  });
});
