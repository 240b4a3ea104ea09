/**
 * Coalesces `presence` broadcasts per room: the first change after a quiet spell goes out at once,
 * and later changes within `windowMs` are folded into one broadcast at the end of the window. A join storm of N visitors therefore
 * costs about N * (storm duration / windowMs) frames instead of N^2, and every socket still holds
 * the exact count at most `windowMs` after the last change.
 */
import type { Clock } from './ephemeral/rate-limit.js';

interface RoomState<T> {
  target: T;
  room: string;
  lastAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface CoalescerOptions<T> {
  windowMs: number;
  clock: Clock;
  /** The room's exact count now (from a shared store, possibly asynchronously). */
  count: (target: T, room: string) => number | Promise<number>;
  /** Sends `presence` with `count` to everyone in the room. */
  emit: (target: T, room: string, count: number) => void;
}

/** `T` identifies where a room lives (a site's namespace); rooms are keyed by `key(target, room)`. */
export class PresenceCoalescer<T> {
  private readonly rooms = new Map<string, RoomState<T>>();
  private closed = false;

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
    state.lastAt = this.options.clock();
    const counted = this.options.count(state.target, state.room);
    if (typeof counted === 'number') {
      this.send(key, state, counted);
      return;
    }
    counted.then(
      (count) => this.send(key, state, count),
      // A count that could not be read is sent at the next change; the window still applies.
      () => undefined,
    );
  }

  private send(key: string, state: RoomState<T>, count: number): void {
    if (this.closed) return;
    // Emit even when the count equals the last one sent: a visitor who joined in between holds the
    // count from its join answer, which a quiet arrival and departure since may have made stale.
    this.options.emit(state.target, state.room, count);
    // An empty room has nobody to tell; forget it so the map follows the live rooms.
    if (count === 0 && state.timer === undefined && this.rooms.get(key) === state) {
      this.rooms.delete(key);
    }
  }

  /** Rooms with state kept (live or waiting to flush). */
  get size(): number {
    return this.rooms.size;
  }

  /** Cancels every pending broadcast. */
  close(): void {
    this.closed = true;
    for (const state of this.rooms.values()) {
      if (state.timer !== undefined) clearTimeout(state.timer);
    }
    this.rooms.clear();
  }
}
