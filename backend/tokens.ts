/**
 * Visitor tokens: an HMAC (node:crypto) binds a visitor id to the site it was issued for, so a
 * client can keep its id across visits but can neither forge one nor carry it to another site.
 *
 * Format `v1.<visitorId>.<base64url HMAC-SHA256(secret, "v1\0site\0visitorId")>`; clients treat it as opaque.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LIMITS } from './protocol.js';

const VERSION = 'v1';
const VISITOR_ID = /^[A-Za-z0-9_-]{21}$/;

export interface TokenSigner {
  /** A token for `visitorId` on `site`. */
  sign(site: string, visitorId: string): string;
  /** The visitor id a token carries when it is genuine and was issued for `site`; otherwise undefined. */
  verify(site: string, token: unknown): string | undefined;
}

export function createTokenSigner(secret: string): TokenSigner {
  const mac = (site: string, visitorId: string): Buffer =>
    createHmac('sha256', secret).update(`${VERSION}\0${site}\0${visitorId}`).digest();

  return {
    sign(site, visitorId) {
      return `${VERSION}.${visitorId}.${mac(site, visitorId).toString('base64url')}`;
    },
    verify(site, token) {
      if (typeof token !== 'string' || token.length > LIMITS.tokenMax) return undefined;
      const parts = token.split('.');
      if (parts.length !== 3) return undefined;
      const [version, visitorId, signature] = parts as [string, string, string];
      if (version !== VERSION || !VISITOR_ID.test(visitorId)) return undefined;
      // Compared as text, so exactly one spelling is genuine: decoding base64url would accept
      // padding, stray characters and other values of the last character's unused bits.
      const given = Buffer.from(signature, 'latin1');
      const expected = Buffer.from(mac(site, visitorId).toString('base64url'), 'latin1');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      return visitorId;
    },
  };
}
