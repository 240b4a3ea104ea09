/**
 * The request limits of the chat: every kind of request is limited per visitor and per client
 * address, so new identities from one address share one budget, and messages are limited per room
 * too, so no crowd of identities can push a room's history out faster than people talk.
 *
 * A request passes only when every bucket it touches has a token; a refusal spends none of them
 * and answers the longest wait.
 */
import type { Config, RateLimit } from '../config.js';
import type { Limiter, Limiters, TakeResult } from '../ephemeral/types.js';

/** An address's budget for joins, renames and typing: this many visitors' worth. */
export const ADDRESS_SHARE = 4;

/** One kind of request, limited per visitor and per client address. */
export interface PairedLimit {
  visitor: Limiter;
  address: Limiter;
}

export interface RequestLimits {
  message: PairedLimit;
  rename: PairedLimit;
  typing: PairedLimit;
  join: PairedLimit;
  /** Messages per room, over all its visitors. */
  room: Limiter;
  /** Invalid requests per client address; an empty bucket disconnects the socket. */
  invalid: Limiter;
}

const scaled = ({ burst, perSecond }: RateLimit, by: number): RateLimit => ({
  burst: burst * by,
  perSecond: perSecond * by,
});

export function requestLimits(config: Config, limiters: Limiters): RequestLimits {
  const paired = (name: string, visitor: RateLimit, address: RateLimit): PairedLimit => ({
    visitor: limiters.limiter(name, visitor),
    address: limiters.limiter(`${name}-address`, address),
  });
  return {
    message: paired('message', config.messageRate, config.addressMessageRate),
    rename: paired('rename', config.renameRate, scaled(config.renameRate, ADDRESS_SHARE)),
    typing: paired('typing', config.typingRate, scaled(config.typingRate, ADDRESS_SHARE)),
    join: paired('join', config.joinRate, scaled(config.joinRate, ADDRESS_SHARE)),
    room: limiters.limiter('room-message', config.roomMessageRate),
    invalid: limiters.limiter('invalid', config.invalidRequestRate),
  };
}

/**
 * Takes one token from each `[limiter, key]`, or none when any of them is empty; then the answer
 * carries the longest wait among the empty ones.
 */
export async function takeAll(
  buckets: readonly (readonly [Limiter, string])[],
): Promise<TakeResult> {
  const checks = await Promise.all(buckets.map(([limiter, key]) => limiter.check(key)));
  let wait = -1;
  for (const check of checks) if (!check.ok) wait = Math.max(wait, check.retryAfterMs);
  if (wait >= 0) return { ok: false, retryAfterMs: wait };
  const taken = await Promise.all(buckets.map(([limiter, key]) => limiter.take(key)));
  // Another request may have spent a token between the check and the take (a shared store).
  for (const take of taken) if (!take.ok) wait = Math.max(wait, take.retryAfterMs);
  return wait >= 0 ? { ok: false, retryAfterMs: wait } : { ok: true };
}

/** The visitor's and its address's buckets of one kind of request. */
export function pairOf(
  limit: PairedLimit,
  context: { limitKey: string; addressKey: string },
): (readonly [Limiter, string])[] {
  return [
    [limit.visitor, context.limitKey],
    [limit.address, context.addressKey],
  ];
}
