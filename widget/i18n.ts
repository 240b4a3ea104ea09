/**
 * The widget's words, in English and French, and the lookup that fills in `{name}`-style
 * placeholders. A small flat table rather than an i18n library: the whole widget ships in one
 * script, and every string here costs bytes on every customer's page.
 */
import type { ErrorCode } from '../backend/protocol.js';

const en = {
  title: 'Chat on this page',
  open: 'Open chat',
  close: 'Close chat',
  'people.one': '{n} person here',
  'people.other': '{n} people here',
  'unread.one': '{n} unread message',
  'unread.other': '{n} unread messages',
  connecting: 'Connecting…',
  reconnecting: 'Connection lost. Reconnecting…',
  offline: 'You are offline. Messages will be sent when you are back.',
  messages: 'Messages',
  empty: 'No messages yet. Say hello!',
  you: 'You',
  joined: '{name} joined',
  left: '{name} left',
  'typing.one': '{a} is typing…',
  'typing.two': '{a} and {b} are typing…',
  'typing.many': 'Several people are typing…',
  as: 'You are {name}',
  rename: 'Change name',
  name: 'Your name',
  save: 'Save',
  cancel: 'Cancel',
  input: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  chars: '{n} characters left',
  sending: 'Sending…',
  queued: 'Waiting to send…',
  said: '{name}: {text}',
  invalid_site: 'This chat is not set up correctly.',
  site_not_allowed: 'This chat server does not serve this site.',
  origin_not_allowed: 'This page may not show this chat.',
  banned: 'You cannot take part in this chat.',
  invalid_payload: 'That could not be sent.',
  not_joined: 'Not in the room yet. Try again.',
  too_long: 'Too long: at most {max} characters.',
  rate_limited: 'Too fast. Try again in {s} s.',
  read_only: 'Chat is paused on this page.',
  text_not_allowed: 'This message contains a word this site does not allow.',
  internal: 'The chat server had a problem. Try again.',
};

export type MessageKey = keyof typeof en;
type Table = Record<MessageKey, string>;

const fr: Table = {
  title: 'Discussion sur cette page',
  open: 'Ouvrir la discussion',
  close: 'Fermer la discussion',
  'people.one': '{n} personne ici',
  'people.other': '{n} personnes ici',
  'unread.one': '{n} message non lu',
  'unread.other': '{n} messages non lus',
  connecting: 'Connexion…',
  reconnecting: 'Connexion perdue. Reconnexion…',
  offline: 'Hors ligne. Vos messages partiront à votre retour.',
  messages: 'Messages',
  empty: 'Aucun message. Dites bonjour !',
  you: 'Vous',
  joined: '{name} est arrivé·e',
  left: '{name} est parti·e',
  'typing.one': '{a} écrit…',
  'typing.two': '{a} et {b} écrivent…',
  'typing.many': 'Plusieurs personnes écrivent…',
  as: 'Vous êtes {name}',
  rename: 'Changer de nom',
  name: 'Votre nom',
  save: 'Enregistrer',
  cancel: 'Annuler',
  input: 'Message',
  placeholder: 'Écrire un message…',
  send: 'Envoyer',
  chars: '{n} caractères restants',
  sending: 'Envoi…',
  queued: 'En attente d’envoi…',
  said: '{name} : {text}',
  invalid_site: 'Cette discussion est mal configurée.',
  site_not_allowed: 'Ce serveur ne sert pas ce site.',
  origin_not_allowed: 'Cette page ne peut pas afficher cette discussion.',
  banned: 'Vous ne pouvez pas participer à cette discussion.',
  invalid_payload: 'Envoi impossible.',
  not_joined: 'Pas encore dans la salle. Réessayez.',
  too_long: 'Trop long : {max} caractères au plus.',
  rate_limited: 'Trop rapide. Réessayez dans {s} s.',
  read_only: 'La discussion est en pause sur cette page.',
  text_not_allowed: 'Ce message contient un mot que ce site n’autorise pas.',
  internal: 'Le serveur a eu un problème. Réessayez.',
};

const TABLES = { en, fr } satisfies Record<string, Table>;

export type Lang = keyof typeof TABLES;
export const LANGS = Object.keys(TABLES) as Lang[];

/**
 * The first supported language among the candidates, matched on the primary subtag
 * (`fr-CA` → `fr`); English when none is supported.
 */
export function resolveLang(...candidates: (string | null | undefined)[]): Lang {
  for (const candidate of candidates) {
    const primary = candidate?.trim().toLowerCase().split(/[-_]/)[0];
    const found = LANGS.find((l) => l === primary);
    if (found) return found;
  }
  return 'en';
}

/**
 * Values for a sentence's placeholders. Numbers are the widget's own and are formatted for the
 * language; strings are visitors' words (names, message text) and go in wrapped in U+2068 FIRST
 * STRONG ISOLATE … U+2069 POP DIRECTIONAL ISOLATE, so a right-to-left name or a bidi control in
 * it cannot reorder the sentence around it, even where the sentence is plain text (aria-live).
 */
export type Params = Record<string, string | number>;

/** The string for `key` in `lang` with `{placeholders}` filled; unknown placeholders stay. */
export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  return TABLES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined
      ? whole
      : typeof value === 'number'
        ? value.toLocaleString(lang)
        : `\u2068${value}\u2069`;
  });
}

type Counted = 'people' | 'unread';

/** A counted phrase, picking the plural form by the language's own rules (French 0 is singular). */
export function plural(lang: Lang, key: Counted, n: number): string {
  const form = new Intl.PluralRules(lang).select(n) === 'one' ? 'one' : 'other';
  return translate(lang, `${key}.${form}`, { n });
}

/** "X is typing…" for up to two names, a general phrase beyond that; empty when nobody types. */
export function typingText(lang: Lang, names: readonly string[]): string {
  const [a, b] = names;
  if (a === undefined) return '';
  if (b === undefined) return translate(lang, 'typing.one', { a });
  return translate(lang, names.length === 2 ? 'typing.two' : 'typing.many', { a, b });
}

/** A server error code in human words for this language. */
export function errorText(
  lang: Lang,
  code: ErrorCode,
  detail: { retryAfterMs?: number | undefined; max?: number } = {},
): string {
  const s = Math.max(1, Math.ceil((detail.retryAfterMs ?? 1000) / 1000));
  return translate(lang, code, { s, max: detail.max ?? 0 });
}
