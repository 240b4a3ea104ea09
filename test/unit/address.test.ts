/**
 * Client addresses (backend/address.ts): which address a request comes from behind N proxies, the
 * part of it that identifies a client, and the keyed hash that is all the server ever keeps.
 */
import { describe, expect, it } from 'vitest';
import { addressKey, clientAddress, createAddressHasher } from '../../backend/address.js';

describe('clientAddress', () => {
  it('uses the peer address when no proxy is trusted, whatever the headers say', () => {
    expect(clientAddress('10.0.0.1', '203.0.113.9', 0)).toBe('10.0.0.1');
  });

  it('takes the address the nearest trusted proxy saw, not what the client wrote', () => {
    // The client forged "1.1.1.1"; our one proxy appended the real peer 203.0.113.9.
    expect(clientAddress('10.0.0.1', '1.1.1.1, 203.0.113.9', 1)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.2', '1.1.1.1, 203.0.113.9, 10.0.0.1', 2)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.1', ['1.1.1.1', '203.0.113.9'], 1)).toBe('203.0.113.9');
  });

  it('falls back sensibly when there are fewer hops than proxies', () => {
    expect(clientAddress('10.0.0.1', undefined, 1)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', '203.0.113.9', 3)).toBe('203.0.113.9');
  });
});

describe('addressKey', () => {
  it('keeps IPv4, unwraps IPv4-mapped IPv6, and reduces IPv6 to its /64', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe(addressKey('2001:0db8:0001:0002:ffff::1'));
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
  });
});

describe('createAddressHasher', () => {
  it('is stable per secret, differs between secrets, and never contains the address', () => {
    const hash = createAddressHasher('s'.repeat(32));
    const other = createAddressHasher('t'.repeat(32));
    expect(hash('203.0.113.9')).toBe(hash('203.0.113.9'));
    expect(hash('203.0.113.9')).not.toBe(other('203.0.113.9'));
    expect(hash('203.0.113.9')).not.toContain('203');
    expect(hash('2001:db8:1:2::1')).toBe(hash('2001:db8:1:2::2'));
    expect(hash('203.0.113.9')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
