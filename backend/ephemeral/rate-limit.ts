/**
 * Token-bucket rate limiting, pure: the clock is injected and nothing here owns a timer.
 */
import type { RateLimit } from '../config.js';

export type Clock = () => number;

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/** One bucket: `burst` tokens at most, refilled continuously at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.updatedAt = now;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsed * this.limit.perSecond) / 1000);
    this.updatedAt = now;
  }

  /** Takes one token, or says how long until one is available. */
  take(now: number): TakeResult {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return {
      ok: false,
      retryAfterMs: Math.ceil(((1 - this.tokens) * 1000) / this.limit.perSecond),
    };
  }

  /** Whether a token is available now, without taking it. */
  check(now: number): TakeResult {
    this.refill(now);
    if (this.tokens >= 1) return { ok: true };
    return {
      ok: false,
      retryAfterMs: Math.ceil(((1 - this.tokens) * 1000) / this.limit.perSecond),
    };
  }

  /** True when the bucket is back to full and so carries no information worth keeping. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.limit.burst;
  }
}

/**
 * Buckets keyed by an arbitrary string (a visitor on a site). `sweep()` forgets full buckets so
 * memory follows the number of recently active visitors, not every visitor ever seen.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {}

  take(key: string): TakeResult {
    const now = this.clock();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.limit, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  /** Whether `key` could take a token now, without taking it. */
  check(key: string): TakeResult {
    return this.buckets.get(key)?.check(this.clock()) ?? { ok: true };
  }

  /** Drops every full bucket; returns how many remain. */
  sweep(): number {
    const now = this.clock();
    for (const [key, bucket] of this.buckets) {
      if (bucket.isFull(now)) this.buckets.delete(key);
    }
    return this.buckets.size;
  }

  get size(): number {
    return this.buckets.size;
  }
}
