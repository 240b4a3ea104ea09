/**
 * The in-process implementations of the shared ephemeral state, for one process: token buckets,
 * slow-mode intervals and per-address connection counts in maps that forget what carries no
 * information (full buckets, elapsed intervals, zero counts).
 *
 * Why our own token bucket and not rate-limiter-flexible: its limiters are fixed windows (a burst
 * of `points` per `duration`), which allow twice the burst across a window edge and answer
 * "retry after the window" (up to `burst / rate` seconds) where the protocol promises the time
 * until the next request succeeds; and they read `Date.now()` themselves, so the clock cannot be
 * injected and tests of `retryAfterMs` could not hold time. The bucket is 40 lines, pure and
 * tested, and a Redis version can keep the same arithmetic in one Lua script.
 */
import type { RateLimit } from '../config.js';
import { RateLimiter, type Clock, type TakeResult } from './rate-limit.js';
import type { AddressCounter, Limiter, Limiters } from './types.js';

/** How often idle buckets and elapsed intervals are forgotten. */
const SWEEP_MS = 30_000;

export function createMemoryLimiters(clock: Clock): Limiters {
  const limiters: RateLimiter[] = [];
  const intervals = new Map<string, number>();
  const sweeper = setInterval(() => {
    for (const limiter of limiters) limiter.sweep();
    const now = clock();
    for (const [key, until] of intervals) if (until <= now) intervals.delete(key);
  }, SWEEP_MS);
  sweeper.unref();

  return {
    limiter(_name: string, limit: RateLimit): Limiter {
      const limiter = new RateLimiter(limit, clock);
      limiters.push(limiter);
      return { take: async (key) => limiter.take(key), check: async (key) => limiter.check(key) };
    },
    async interval(key, intervalMs): Promise<TakeResult> {
      if (intervalMs <= 0) return { ok: true };
      const now = clock();
      const until = intervals.get(key);
      if (until !== undefined && until > now) return { ok: false, retryAfterMs: until - now };
      intervals.set(key, now + intervalMs);
      return { ok: true };
    },
    close() {
      clearInterval(sweeper);
    },
  };
}

export function createMemoryAddressCounter(): AddressCounter {
  const open = new Map<string, number>();
  return {
    async acquire(address, max) {
      const n = open.get(address) ?? 0;
      if (n >= max) return false;
      open.set(address, n + 1);
      return true;
    },
    async release(address) {
      const n = (open.get(address) ?? 1) - 1;
      if (n <= 0) open.delete(address);
      else open.set(address, n);
    },
    async count(address) {
      return open.get(address) ?? 0;
    },
  };
}
