/**
 * The widget's words: the shape every language file fills (`widget/lang/<code>.ts`, one file per
 * language, each its own chunk loaded only when used), the choice of language, and the lookup that
 * fills `{placeholders}`. Plural forms follow `Intl.PluralRules`, numbers `Intl.NumberFormat`.
 *
 * Adding a language is adding its file: `loadWords` imports `./lang/${code}.ts` by pattern, so the
 * bundler makes a chunk of every file there, and a code without a file is refused without a request.
 */
import type { ErrorCode } from '../backend/protocol.js';

/**
 * A counted sentence: one string per `Intl.PluralRules` category the language uses (`other` always;
 * `one`, `two`, `few`, `many`, `zero` where the language has them). `{n}` is the number.
 */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

/** Every sentence of the widget, in one language. */
export type Words = {
  /** The language's writing direction: the widget's layout is mirrored for `rtl`. */
  dir: 'ltr' | 'rtl';
  title: string;
  open: string;
  close: string;
  /** "{n} people here". */
  people: Plural;
  /** "{n} unread messages". */
  unread: Plural;
  /** "{n} characters left". */
  chars: Plural;
  loading: string;
  connecting: string;
  reconnecting: string;
  offline: string;
  messages: string;
  empty: string;
  you: string;
  /** "{name} joined". */
  joined: string;
  left: string;
  /** "{a} is typing…". */
  typingOne: string;
  /** "{a} and {b} are typing…". */
  typingTwo: string;
  /** Three or more. */
  typingMany: string;
  /** "You are {name}". */
  as: string;
  rename: string;
  name: string;
  save: string;
  cancel: string;
  input: string;
  placeholder: string;
  send: string;
  sending: string;
  queued: string;
  /** What a screen reader says of someone else's message: "{name}: {text}". */
  said: string;
  /** The widget was updated while the page was open and must be reloaded to open. */
  updated: string;
} & Record<ErrorCode, string>;

export type MessageKey = { [K in keyof Words]: Words[K] extends string ? K : never }[keyof Words];
export type Counted = { [K in keyof Words]: Words[K] extends Plural ? K : never }[keyof Words];

/** A language's code (its file name) and its words. */
export interface Language {
  code: string;
  words: Words;
}

/**
 * Candidate codes for the first candidate tags, in the order they are tried: each tag as written
 * (lowercased, `_` read as `-`), then its primary subtag (`pt-BR` → `pt-br`, `pt`). Anything that
 * is not a language tag is left out, so a page's `lang` can never name another file.
 */
export function candidateCodes(...tags: (string | null | undefined)[]): string[] {
  const codes: string[] = [];
  for (const tag of tags) {
    const code = tag?.trim().toLowerCase().replaceAll('_', '-');
    if (!code || !/^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(code)) continue;
    for (const c of [code, code.split('-')[0] ?? code]) if (!codes.includes(c)) codes.push(c);
  }
  if (!codes.includes('en')) codes.push('en');
  return codes;
}

/** The words of one language code, or `undefined` when there is no file for it. */
async function wordsOf(code: string): Promise<Words | undefined> {
  try {
    // A pattern the bundler expands into one chunk per file in lang/ (a switch, no request for
    // a code without a file). Vitest expands it the same way.
    const module = (await import(`./lang/${code}.ts`)) as { default: Words };
    return module.default;
  } catch (error) {
    // No such file: the next candidate. A file that failed to load (network) is an error.
    if (error instanceof Error && /unknown variable dynamic import/i.test(error.message)) {
      return undefined;
    }
    throw error;
  }
}

/**
 * The first language among the candidate tags (`lang` attribute, the page's `lang`, the browser's
 * languages) that the widget speaks; English when none.
 */
export async function loadLanguage(...tags: (string | null | undefined)[]): Promise<Language> {
  for (const code of candidateCodes(...tags)) {
    const words = await wordsOf(code);
    if (words) return { code, words };
  }
  throw new Error('pagechat: the English words are missing from the build');
}

/**
 * Values for a sentence's placeholders. Numbers are the widget's own and are formatted for the
 * language; strings are visitors' words (names, message text) and go in wrapped in U+2068 FIRST
 * STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE, so a right-to-left name or a bidi control in
 * it cannot reorder the sentence around it, even where the sentence is plain text (aria-live).
 */
export type Params = Record<string, string | number>;

/**
 * `Intl` formatters by language code, made once: each construction loads locale data, and
 * `Number.prototype.toLocaleString` would make a new one for every number rendered.
 */
const formatters = new Map<string, { number: Intl.NumberFormat; plural: Intl.PluralRules }>();

function formattersOf(code: string): { number: Intl.NumberFormat; plural: Intl.PluralRules } {
  let found = formatters.get(code);
  if (!found) {
    found = { number: new Intl.NumberFormat(code), plural: new Intl.PluralRules(code) };
    formatters.set(code, found);
  }
  return found;
}

/** A number as the language writes it (its digits and grouping). */
export function formatNumber(lang: Language, n: number): string {
  return formattersOf(lang.code).number.format(n);
}

function fill(lang: Language, sentence: string, params: Params): string {
  return sentence.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined
      ? whole
      : typeof value === 'number'
        ? formatNumber(lang, value)
        : `\u2068${value}\u2069`;
  });
}

/** The sentence for `key` with `{placeholders}` filled; unknown placeholders stay. */
export function translate(lang: Language, key: MessageKey, params: Params = {}): string {
  return fill(lang, lang.words[key], params);
}

/** A counted sentence, in the plural form the language's own rules pick for `n`. */
export function plural(lang: Language, key: Counted, n: number): string {
  const forms = lang.words[key];
  return fill(lang, forms[formattersOf(lang.code).plural.select(n)] ?? forms.other, { n });
}

/** "X is typing…" for up to two names, a general phrase beyond that; empty when nobody types. */
export function typingText(lang: Language, names: readonly string[]): string {
  const [a, b] = names;
  if (a === undefined) return '';
  if (b === undefined) return translate(lang, 'typingOne', { a });
  return translate(lang, names.length === 2 ? 'typingTwo' : 'typingMany', { a, b });
}

/** A server error code in human words for this language. */
export function errorText(
  lang: Language,
  code: ErrorCode,
  detail: { retryAfterMs?: number | undefined; max?: number } = {},
): string {
  const s = Math.max(1, Math.ceil((detail.retryAfterMs ?? 1000) / 1000));
  return translate(lang, code, { s, max: detail.max ?? 0 });
}
