/**
 * Token buckets (backend/rate-limit.ts) with an injected clock: the burst goes through at once, the
 * refill follows the rate, and `retryAfterMs` is exactly when the next request succeeds.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter, TokenBucket } from '../../backend/ephemeral/rate-limit.js';

describe('TokenBucket', () => {
  it('lets the burst through, then refuses with the time to the next token', () => {
    const bucket = new TokenBucket({ burst: 3, perSecond: 1 }, 0);
    expect(bucket.take(0)).toEqual({ ok: true });
    expect(bucket.take(0)).toEqual({ ok: true });
    expect(bucket.take(0)).toEqual({ ok: true });
    expect(bucket.take(0)).toEqual({ ok: false, retryAfterMs: 1000 });
  });

  it('succeeds exactly retryAfterMs later, not a millisecond before', () => {
    const bucket = new TokenBucket({ burst: 1, perSecond: 0.5 }, 1_000);
    bucket.take(1_000);
    const refused = bucket.take(1_500);
    expect(refused).toEqual({ ok: false, retryAfterMs: 1500 });
    expect(bucket.take(2_999).ok).toBe(false);
    expect(bucket.take(3_000)).toEqual({ ok: true });
  });

  it('never holds more than the burst, however long it rested', () => {
    const bucket = new TokenBucket({ burst: 2, perSecond: 10 }, 0);
    const later = 1_000_000;
    expect(bucket.take(later).ok).toBe(true);
    expect(bucket.take(later).ok).toBe(true);
    expect(bucket.take(later).ok).toBe(false);
  });

  it('does not refill when the clock goes backwards', () => {
    const bucket = new TokenBucket({ burst: 1, perSecond: 1 }, 10_000);
    bucket.take(10_000);
    expect(bucket.take(5_000).ok).toBe(false);
  });

  it('rounds retryAfterMs up to a whole, positive number of milliseconds', () => {
    const bucket = new TokenBucket({ burst: 1, perSecond: 3 }, 0);
    bucket.take(0);
    const refused = bucket.take(0);
    expect(refused).toEqual({ ok: false, retryAfterMs: 334 });
  });

  it('says when it is full again', () => {
    const bucket = new TokenBucket({ burst: 2, perSecond: 1 }, 0);
    expect(bucket.isFull(0)).toBe(true);
    bucket.take(0);
    expect(bucket.isFull(500)).toBe(false);
    expect(bucket.isFull(1000)).toBe(true);
  });
});

describe('RateLimiter', () => {
  it('keeps one bucket per key', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 1, perSecond: 1 }, () => now);
    expect(limiter.take('alice').ok).toBe(true);
    expect(limiter.take('alice').ok).toBe(false);
    expect(limiter.take('bob').ok).toBe(true);
    now = 1000;
    expect(limiter.take('alice').ok).toBe(true);
  });

  it('sweeps full buckets so memory follows active visitors', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 2, perSecond: 1 }, () => now);
    limiter.take('alice');
    limiter.take('bob');
    limiter.take('bob');
    expect(limiter.size).toBe(2);
    now = 1000;
    expect(limiter.sweep()).toBe(1);
    now = 2000;
    expect(limiter.sweep()).toBe(0);
    // A swept visitor starts again with a full burst.
    expect(limiter.take('bob').ok).toBe(true);
    expect(limiter.take('bob').ok).toBe(true);
    expect(limiter.take('bob').ok).toBe(false);
  });
});
