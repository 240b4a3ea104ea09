/**
 * Client addresses: which one a request or handshake comes from (behind a known number of reverse
 * proxies), and the keyed hash that is the only form in which an address is ever kept or compared.
 */
import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { LRUCache } from 'lru-cache';

/**
 * The client's address. With `trustProxy` = N proxies in front, the N-th address from the right of
 * `X-Forwarded-For` (each proxy appends the peer it saw) is the client; anything further left was
 * written by the client and is not trusted. With 0, the socket's own peer address.
 */
export function clientAddress(
  remote: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustProxy: number,
): string {
  const peer = remote ?? 'unknown';
  if (trustProxy === 0 || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // The chain as seen: the forwarded hops, then our own peer (the nearest proxy).
  const chain = [...hops, peer];
  const index = Math.max(0, chain.length - 1 - trustProxy);
  return chain[index] ?? peer;
}

/**
 * The part of an address that identifies one client: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6
 * by its /64 prefix, which one subscriber usually holds whole, so a ban cannot be escaped by
 * hopping addresses inside it.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIP(address) !== 6) return address;
  const [head, tail = ''] = address.toLowerCase().split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export type AddressHasher = (address: string) => string;

/**
 * HMAC of the address key under a key derived from the server secret; 128 bits, base64url. Recent
 * answers are cached, since one address opens many connections (tabs, reconnects, a proxy).
 */
export function createAddressHasher(secret: string, cacheSize = 10_000): AddressHasher {
  const key = createHmac('sha256', secret).update('pagechat client address v1').digest();
  const cache = new LRUCache<string, string>({ max: cacheSize });
  return (address) => {
    let hash = cache.get(address);
    if (hash === undefined) {
      hash = createHmac('sha256', key)
        .update(addressKey(address))
        .digest()
        .subarray(0, 16)
        .toString('base64url');
      cache.set(address, hash);
    }
    return hash;
  };
}
