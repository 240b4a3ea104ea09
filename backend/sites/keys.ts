/**
 * Site keys and the operator token: generated at random, kept only as a SHA-256 hash, compared in
 * constant time. Keys are 256-bit random secrets, so a fast unsalted hash is enough: there is no
 * dictionary to attack, and the hash lets a key be looked up by its hash.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix that makes a leaked key recognisable to secret scanners and people alike. */
const KEY_PREFIX = 'pck_';

/** A new site key: `pck_` and 43 characters of base64url (256 random bits). */
export function generateSiteKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The hash kept for a key (hex SHA-256). */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two hex hashes of equal length in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Whether `given` is the operator token; constant time in the token's content. */
export function isOperatorToken(operatorToken: string | undefined, given: string): boolean {
  // Hash both first so the comparison always runs over 32 bytes, whatever the lengths.
  const expected = hashKey(operatorToken ?? '');
  const ok = sameHash(expected, hashKey(given));
  return operatorToken !== undefined && ok;
}

/** The credential of an `Authorization: Bearer <credential>` header, if it is one. */
export function bearerCredential(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}
