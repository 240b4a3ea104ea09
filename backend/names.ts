/**
 * Friendly default display names ("Teal Otter") for visitors who have not picked one.
 *
 * Derived from the visitor id, so a returning visitor keeps the same default name without the server
 * storing anything.
 */
const ADJECTIVES = [
  'Amber',
  'Azure',
  'Brave',
  'Bright',
  'Calm',
  'Clever',
  'Coral',
  'Cosmic',
  'Curious',
  'Dapper',
  'Eager',
  'Gentle',
  'Golden',
  'Happy',
  'Jolly',
  'Kind',
  'Lively',
  'Lucky',
  'Mellow',
  'Mint',
  'Nimble',
  'Polite',
  'Quiet',
  'Rapid',
  'Rosy',
  'Silver',
  'Sunny',
  'Swift',
  'Teal',
  'Witty',
  'Zesty',
  'Plucky',
] as const;

const ANIMALS = [
  'Badger',
  'Beaver',
  'Crane',
  'Dolphin',
  'Falcon',
  'Ferret',
  'Finch',
  'Fox',
  'Gecko',
  'Heron',
  'Ibis',
  'Koala',
  'Lemur',
  'Lynx',
  'Marten',
  'Newt',
  'Ocelot',
  'Otter',
  'Owl',
  'Panda',
  'Puffin',
  'Quokka',
  'Raven',
  'Robin',
  'Seal',
  'Sparrow',
  'Stoat',
  'Tapir',
  'Tern',
  'Walrus',
  'Wombat',
  'Yak',
] as const;

/** A stable "Adjective Animal" name for a visitor id. */
export function defaultName(visitorId: string): string {
  // FNV-1a: a tiny, well-spread hash; this is for variety, not security.
  let h = 0x811c9dc5;
  for (let i = 0; i < visitorId.length; i++) {
    h ^= visitorId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const adjective = ADJECTIVES[h % ADJECTIVES.length] ?? 'Kind';
  const animal = ANIMALS[(h >>> 8) % ANIMALS.length] ?? 'Otter';
  return `${adjective} ${animal}`;
}
