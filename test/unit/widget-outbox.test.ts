/**
 * The outbox: unconfirmed messages keep their order and their nonce across every resend, and
 * each server refusal maps to one recovery.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../backend/protocol.js';
import { createNonce, Outbox, recoveryFor } from '../../widget/outbox.js';

describe('createNonce', () => {
  it('is 32 hex digits, within the protocol limit of 64', () => {
    expect(createNonce()).toMatch(/^[0-9a-f]{32}$/);
  });

  it('comes from the random source', () => {
    expect(createNonce((bytes) => bytes.fill(0xab))).toBe('ab'.repeat(16));
    const many = new Set(Array.from({ length: 1000 }, () => createNonce()));
    expect(many.size).toBe(1000);
  });
});

describe('Outbox', () => {
  it('delivers in the order written, head first', () => {
    const outbox = new Outbox();
    const first = outbox.add('/a', 'one', 'n1');
    outbox.add('/a', 'two', 'n2');
    expect(outbox.next(0)).toBe(first);
    first.state = 'sending';
    // The head is in flight: nothing overtakes it.
    expect(outbox.next(0)).toBeUndefined();
    outbox.remove('n1');
    expect(outbox.next(0)?.text).toBe('two');
  });

  it('holds a waiting head until its time, with the same nonce', () => {
    const outbox = new Outbox();
    outbox.add('/a', 'one', 'n1');
    outbox.add('/a', 'two', 'n2');
    outbox.requeue('n1', 5_000, true);
    expect(outbox.next(4_999)).toBeUndefined();
    expect(outbox.wakeAt()).toBe(5_000);
    expect(outbox.next(5_000)).toMatchObject({ nonce: 'n1', attempts: 1 });
  });

  it('puts messages in flight back in the queue when the connection drops', () => {
    const outbox = new Outbox();
    const item = outbox.add('/a', 'one');
    item.state = 'sending';
    outbox.requeueAll();
    expect(outbox.next(0)).toBe(item);
    expect(outbox.wakeAt()).toBeUndefined();
  });

  it('ignores unknown nonces', () => {
    const outbox = new Outbox();
    outbox.requeue('nope');
    expect(outbox.remove('nope')).toBeUndefined();
    expect(outbox.items).toEqual([]);
  });
});

describe('recoveryFor', () => {
  it('waits on rate limits and server failures, rejoins when not joined, hands back the rest', () => {
    expect(recoveryFor('rate_limited')).toBe('wait');
    expect(recoveryFor('internal')).toBe('wait');
    expect(recoveryFor('not_joined')).toBe('rejoin');
    expect(recoveryFor('too_long')).toBe('give-back');
    expect(recoveryFor('banned')).toBe('give-back');
  });

  it('knows every error code', () => {
    for (const code of ERROR_CODES)
      expect(['wait', 'rejoin', 'give-back']).toContain(recoveryFor(code));
  });

  it('hands back a code only a newer server knows, rather than retrying it', () => {
    expect(recoveryFor('slow_mode' as ErrorCode)).toBe('give-back');
  });
});
