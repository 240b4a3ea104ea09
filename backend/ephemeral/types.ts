/**
 * Interfaces of the shared ephemeral state: presence, rate limits and per-address connection
 * counts. In one process they live in memory (this folder); with many processes they live in Redis.
 * The realtime layer only sees these, always asynchronously, so either fits without changes.
 */
import type { RateLimit } from '../config.js';
import type { PresenceChange } from './presence.js';
import type { TakeResult } from './rate-limit.js';

export type { PresenceChange, TakeResult };

export interface RoomCount {
  room: string;
  count: number;
}

export interface PresenceStore {
  /** A socket of `visitorId` entered `room`; says whether it was the visitor's first there. */
  add(site: string, room: string, visitorId: string): Promise<PresenceChange>;
  /** A socket of `visitorId` left `room`; says whether it was the visitor's last there. */
  remove(site: string, room: string, visitorId: string): Promise<PresenceChange>;
  /** Distinct visitors in a room. */
  count(site: string, room: string): Promise<number>;
  /** Distinct visitors on the site and its busiest `limit` rooms, busiest first. */
  snapshot(site: string, limit: number): Promise<{ visitors: number; rooms: RoomCount[] }>;
  /** Rooms with at least one visitor, over all sites. */
  roomCount(): number;
}

export interface Limiter {
  /** Takes one request's worth for `key`, or says how long until one is available. */
  take(key: string): Promise<TakeResult>;
  /** Whether `key` could take now, without taking (to refuse before doing costly work). */
  check(key: string): Promise<TakeResult>;
}

export interface Limiters {
  /** A token bucket per key; `name` keeps limiters apart in a shared store. */
  limiter(name: string, limit: RateLimit): Limiter;
  /** At most one success per `intervalMs` for `key` (slow mode). */
  interval(key: string, intervalMs: number): Promise<TakeResult>;
  close(): void;
}

export interface AddressCounter {
  /** Counts one more open connection for `address`, unless it already holds `max`. */
  acquire(address: string, max: number): Promise<boolean>;
  release(address: string): Promise<void>;
  /** Open connections of `address`. */
  count(address: string): Promise<number>;
}
