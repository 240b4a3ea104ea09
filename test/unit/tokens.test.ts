/**
 * Visitor tokens (backend/tokens.ts): a token keeps its visitor id on the site it was issued for,
 * and anything else (another site, another secret, a change of one character, a wrong type, an
 * oversized string) verifies to nothing.
 */
import { describe, expect, it } from 'vitest';
import { createTokenSigner } from '../../backend/tokens.js';

const ID = 'V1StGXR8_Z5jdHi6B-myT';
const OTHER_ID = 'abcdefghijklmnopqrstu';
const signer = createTokenSigner('k'.repeat(32));
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('visitor tokens', () => {
  it('round-trip on the site they were issued for', () => {
    const token = signer.sign('acme', ID);
    expect(signer.verify('acme', token)).toBe(ID);
  });

  it('are at most 256 characters', () => {
    expect(signer.sign('x'.repeat(40), ID).length).toBeLessThanOrEqual(256);
  });

  it('are bound to their site', () => {
    const token = signer.sign('acme', ID);
    expect(signer.verify('globex', token)).toBeUndefined();
    expect(signer.sign('globex', ID)).not.toBe(token);
  });

  it('are bound to the secret', () => {
    const other = createTokenSigner('j'.repeat(32));
    expect(other.verify('acme', signer.sign('acme', ID))).toBeUndefined();
  });

  it('are deterministic for one site, secret and id', () => {
    expect(signer.sign('acme', ID)).toBe(signer.sign('acme', ID));
  });

  it('cannot be edited to claim another id', () => {
    const token = signer.sign('acme', ID);
    expect(signer.verify('acme', token.replace(ID, OTHER_ID))).toBeUndefined();
  });

  it('fail on any single changed character', () => {
    const token = signer.sign('acme', ID);
    for (let i = 0; i < token.length; i++) {
      // Flip the highest bit of the character's base64url value, so the change is never lost in
      // the unused low bits of the last character.
      const at = BASE64URL.indexOf(token[i] ?? '');
      const c = at === -1 ? 'x' : (BASE64URL[at ^ 32] ?? 'x');
      const changed = token.slice(0, i) + c + token.slice(i + 1);
      expect(signer.verify('acme', changed), `character ${i}`).toBeUndefined();
    }
  });

  it('have exactly one spelling: no padding, no stray characters, no other unused bits', () => {
    const token = signer.sign('acme', ID);
    const signature = token.slice(token.lastIndexOf('.') + 1);
    const last = BASE64URL.indexOf(signature.at(-1) ?? '');
    // 32 bytes are 43 base64url characters; the last one carries 2 unused bits.
    const sameBytes = [1, 2, 3].map((bits) => token.slice(0, -1) + (BASE64URL[last ^ bits] ?? ''));
    for (const spelling of [
      `${token}=`,
      `${token}==`,
      `${token.slice(0, -10)}*${token.slice(-10)}`,
      `${token.slice(0, -10)} ${token.slice(-10)}`,
      token.replace(/-/g, '+').replace(/_/g, '/'),
      ...sameBytes,
    ]) {
      if (spelling === token) continue;
      expect(signer.verify('acme', spelling), spelling).toBeUndefined();
    }
    expect(signer.verify('acme', token)).toBe(ID);
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { token: 'x' }],
    ['an empty string', ''],
    ['garbage', 'not.a.token'],
    ['too many parts', 'v1.a.b.c'],
    ['an oversized string', 'v1.' + 'A'.repeat(300)],
  ])('verify %s to nothing', (_, token) => {
    expect(signer.verify('acme', token)).toBeUndefined();
  });

  it('refuse a valid token padded past 256 characters', () => {
    const token = signer.sign('acme', ID);
    expect(signer.verify('acme', token + '='.repeat(257 - token.length))).toBeUndefined();
  });
});
