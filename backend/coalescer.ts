/**
 * Coalesces `presence` broadcasts per room: the first change after a quiet spell goes out at once,
 * and later changes within `windowMs` are folded into one broadcast at the end of the window. A join storm of N visitors therefore
 * costs about N * (storm duration / windowMs) frames instead of N^2, and every socket still holds
 * the exact count at most `windowMs` after the last change.
 */
import type { Clock } from './rate-limit.js';

interface RoomState<T> {
  target: T;
  room: string;
  lastAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface CoalescerOptions<T> {
  windowMs: number;
  clock: Clock;
  /** The room's exact count now. */
  count: (target: T, room: string) => number;
  /** Sends `presence` with `count` to everyone in the room. */
  emit: (target: T, room: string, count: number) => void;
}

/** `T` identifies where a room lives (a site's namespace); rooms are keyed by `key(target, room)`. */
export class PresenceCoalescer<T> {
  private readonly rooms = new Map<string, RoomState<T>>();

  constructor(private readonly options: CoalescerOptions<T>) {}

  /** Notes that the count of `room` may have changed. */
  changed(key: string, target: T, room: string): void {
    let state = this.rooms.get(key);
    if (!state) {
      state = { target, room, lastAt: -Infinity, timer: undefined };
      this.rooms.set(key, state);
    }
    // A site's namespace is recreated after its last socket leaves: always emit on the live one.
    state.target = target;
    if (state.timer !== undefined) return;
    const wait = state.lastAt + this.options.windowMs - this.options.clock();
    if (wait <= 0) {
      this.flush(key, state);
      return;
    }
    const pending = state;
    pending.timer = setTimeout(() => {
      pending.timer = undefined;
      this.flush(key, pending);
    }, wait);
  }

  private flush(key: string, state: RoomState<T>): void {
    // Emit even when the count equals the last one sent: a visitor who joined in between holds the
    // count from its join answer, which a quiet arrival and departure since may have made stale.
    const count = this.options.count(state.target, state.room);
    this.options.emit(state.target, state.room, count);
    state.lastAt = this.options.clock();
    // An empty room has nobody to tell; forget it so the map follows the live rooms.
    if (count === 0 && state.timer === undefined) this.rooms.delete(key);
  }

  /** Rooms with state kept (live or waiting to flush). */
  get size(): number {
    return this.rooms.size;
  }

  /** Cancels every pending broadcast. */
  close(): void {
    for (const state of this.rooms.values()) {
      if (state.timer !== undefined) clearTimeout(state.timer);
    }
    this.rooms.clear();
  }
}
