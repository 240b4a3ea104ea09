/**
 * Visitors' marks: the colour follows the visitor id (stable, and spread over the hues), the
 * initial is the first letter or digit of the name that shows.
 */
import { describe, expect, it } from 'vitest';
import { hue, initial } from '../../widget/mark.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-';
let seed = 0x9e3779b9;

/** A visitor id as the server makes them (21 nanoid characters), from a seeded generator. */
function visitorId(): string {
  let id = '';
  for (let i = 0; i < 21; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    id += ALPHABET[seed >>> 26];
  }
  return id;
}

describe('hue', () => {
  it('is stable for one visitor id, and a whole degree of the colour wheel', () => {
    const id = 'V1StGXR8_Z5jdHi6B-myT';
    expect(hue(id)).toBe(hue(id));
    expect(Number.isInteger(hue(id))).toBe(true);
    expect(hue(id)).toBeGreaterThanOrEqual(0);
    expect(hue(id)).toBeLessThan(360);
  });

  it('differs between most visitor ids, even ids one character apart', () => {
    let same = 0;
    for (let i = 0; i < 1000; i++) if (hue(visitorId()) === hue(visitorId())) same += 1;
    expect(same).toBeLessThan(10);
  });

  it('always differs between ids one character apart', () => {
    const id = visitorId();
    for (let i = 0; i < id.length; i++) {
      for (const c of ALPHABET) {
        const other = id.slice(0, i) + c + id.slice(i + 1);
        if (other !== id) expect(hue(other), other).not.toBe(hue(id));
      }
    }
  });

  it('spreads ids around the whole wheel', () => {
    const hues = Array.from({ length: 2000 }, () => hue(visitorId()));
    const sixths = new Set(hues.map((h) => Math.floor(h / 60)));
    expect(sixths.size).toBe(6);
    for (let s = 0; s < 6; s++) {
      expect(hues.filter((h) => Math.floor(h / 60) === s).length).toBeGreaterThan(200);
    }
  });
});

describe('initial', () => {
  it('is the first letter or digit, uppercased', () => {
    expect(initial('ada')).toBe('A');
    expect(initial('42 lines')).toBe('4');
    expect(initial('élodie')).toBe('É');
    expect(initial('אבי')).toBe('א');
    expect(initial('عمر')).toBe('ع');
    expect(initial('名前')).toBe('名');
  });

  it('skips leading spaces, punctuation, symbols and emoji', () => {
    expect(initial('  bob')).toBe('B');
    expect(initial('...~*zoe*~')).toBe('Z');
    expect(initial('🦊 fox')).toBe('F');
    expect(initial('(((you)))')).toBe('Y');
  });

  it('skips letters that draw nothing, and is empty without a visible letter', () => {
    expect(initial('\u3164\u3164kim')).toBe('K');
    expect(initial('🦊🦊')).toBe('');
    expect(initial('')).toBe('');
  });

  it('takes a letter outside the Basic Multilingual Plane whole', () => {
    expect(initial('𝒜da')).toBe('𝒜');
  });
});
