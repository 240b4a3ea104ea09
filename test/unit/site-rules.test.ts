/**
 * The pure rules of site settings (backend/sites/rules.ts) and keys (backend/sites/keys.ts): which
 * origins may embed a site, which texts blocked words refuse, and how keys are made and compared.
 */
import { describe, expect, it } from 'vitest';
import { compileBlockedWords, compileOrigins, foldForMatching } from '../../backend/sites/rules.js';
import { generateSiteKey, hashKey, isOperatorToken, sameHash } from '../../backend/sites/keys.js';

describe('origins', () => {
  it('allows any page when the list is empty, and non-browsers always', () => {
    expect(compileOrigins([])('https://anything.example')).toBe(true);
    expect(compileOrigins(['https://acme.com'])(undefined)).toBe(true);
  });

  it('matches exact origins after normalising case and default ports', () => {
    const allowed = compileOrigins(['https://Acme.com', 'http://localhost:3000']);
    expect(allowed('https://acme.com')).toBe(true);
    expect(allowed('https://ACME.com:443')).toBe(true);
    expect(allowed('http://localhost:3000')).toBe(true);
    expect(allowed('http://acme.com')).toBe(false);
    expect(allowed('http://localhost:3001')).toBe(false);
    expect(allowed('null')).toBe(false);
  });

  it('matches wildcard subdomains at any depth, never the bare domain or look-alikes', () => {
    const allowed = compileOrigins(['https://*.acme.com']);
    expect(allowed('https://www.acme.com')).toBe(true);
    expect(allowed('https://a.b.acme.com')).toBe(true);
    expect(allowed('https://acme.com')).toBe(false);
    expect(allowed('https://evilacme.com')).toBe(false);
    expect(allowed('https://acme.com.evil.org')).toBe(false);
    expect(allowed('http://www.acme.com')).toBe(false);
  });
});

describe('blocked words', () => {
  const blocks = compileBlockedWords(['Spam', 'bad word', 'c++']);

  it('matches whole words in any case', () => {
    expect(blocks('this is SPAM!')).toBe(true);
    expect(blocks('spam')).toBe(true);
    expect(blocks('spammer')).toBe(false);
    expect(blocks('antispam')).toBe(false);
    expect(blocks('a bad word here')).toBe(true);
    expect(blocks('bad words')).toBe(false);
    expect(blocks('I like c++ a lot')).toBe(true);
  });

  it('sees through zero-width characters and look-alike letters', () => {
    expect(blocks('sp\u200bam')).toBe(true);
    expect(blocks('s\u00adpam')).toBe(true);
    expect(blocks('ｓｐａｍ')).toBe(true); // full-width letters
    expect(blocks('𝐬𝐩𝐚𝐦')).toBe(true); // mathematical bold
  });

  it('matches in any script', () => {
    const ru = compileBlockedWords(['плохо']);
    expect(ru('это ПЛОХО')).toBe(true);
    expect(ru('неплохо')).toBe(false);
  });

  it('blocks nothing without words', () => {
    expect(compileBlockedWords([])('spam')).toBe(false);
    expect(foldForMatching('Ａ\u200bB')).toBe('ab');
  });
});

describe('keys', () => {
  it('are long random secrets, kept as hashes and compared in constant time', () => {
    const key = generateSiteKey();
    expect(key).toMatch(/^pck_[A-Za-z0-9_-]{43}$/);
    expect(generateSiteKey()).not.toBe(key);
    expect(hashKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(sameHash(hashKey(key), hashKey(key))).toBe(true);
    expect(sameHash(hashKey(key), hashKey(`${key}x`))).toBe(false);
    expect(sameHash('', '')).toBe(false);
  });

  it('recognise the operator token only when one is configured', () => {
    const token = 'o'.repeat(40);
    expect(isOperatorToken(token, token)).toBe(true);
    expect(isOperatorToken(token, `${token}x`)).toBe(false);
    expect(isOperatorToken(undefined, '')).toBe(false);
  });
});
