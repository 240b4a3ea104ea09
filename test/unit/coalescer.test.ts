/**
 * Presence coalescing (backend/coalescer.ts) under fake timers: the first change after a quiet spell
 * goes out at once, later ones fold into one broadcast at the end of the window carrying the exact
 * count, and close() cancels what is pending.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PresenceCoalescer } from '../../backend/coalescer.js';

interface Emitted {
  room: string;
  count: number;
  at: number;
}

function setup(windowMs = 1000) {
  const counts = new Map<string, number>();
  const emitted: Emitted[] = [];
  const coalescer = new PresenceCoalescer<string>({
    windowMs,
    clock: () => Date.now(),
    count: (_site, room) => counts.get(room) ?? 0,
    emit: (_site, room, count) => emitted.push({ room, count, at: Date.now() }),
  });
  const change = (room: string, count: number): void => {
    counts.set(room, count);
    coalescer.changed(`acme\0${room}`, 'acme', room);
  };
  return { coalescer, emitted, change };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('PresenceCoalescer', () => {
  it('sends the first change at once', () => {
    const { emitted, change } = setup();
    change('/r', 1);
    expect(emitted).toEqual([{ room: '/r', count: 1, at: 1_000_000 }]);
  });

  it('folds changes within the window into one broadcast of the final count', () => {
    const { emitted, change } = setup();
    change('/r', 1);
    vi.advanceTimersByTime(100);
    change('/r', 2);
    change('/r', 3);
    vi.advanceTimersByTime(100);
    change('/r', 4);
    expect(emitted).toHaveLength(1);
    vi.advanceTimersByTime(799);
    expect(emitted).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(emitted).toEqual([
      { room: '/r', count: 1, at: 1_000_000 },
      { room: '/r', count: 4, at: 1_001_000 },
    ]);
  });

  it('holds the exact count at most one window after the last change, through a long storm', () => {
    const { emitted, change } = setup(1000);
    let count = 0;
    let lastChange = 0;
    for (let t = 0; t < 10_000; t += 7) {
      vi.setSystemTime(1_000_000 + t);
      vi.advanceTimersByTime(0);
      change('/storm', ++count);
      lastChange = Date.now();
    }
    vi.advanceTimersByTime(1000);
    const last = emitted[emitted.length - 1];
    expect(last?.count).toBe(count);
    expect((last?.at ?? Infinity) - lastChange).toBeLessThanOrEqual(1000);
    // About one broadcast per window, not one per change.
    expect(emitted.length).toBeLessThanOrEqual(12);
  });

  it('keeps rooms independent', () => {
    const { emitted, change } = setup();
    change('/a', 1);
    change('/b', 1);
    expect(emitted.map((e) => e.room)).toEqual(['/a', '/b']);
  });

  it('sends at once again after a quiet spell', () => {
    const { emitted, change } = setup();
    change('/r', 1);
    vi.advanceTimersByTime(5000);
    change('/r', 2);
    expect(emitted.map((e) => e.count)).toEqual([1, 2]);
  });

  it('forgets rooms that emptied, and cancels pending broadcasts on close', () => {
    const { coalescer, emitted, change } = setup();
    change('/r', 1);
    change('/gone', 1);
    vi.advanceTimersByTime(5000);
    change('/gone', 0);
    expect(coalescer.size).toBe(1);
    change('/r', 2);
    change('/r', 3);
    coalescer.close();
    expect(coalescer.size).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(emitted.map((e) => `${e.room}=${e.count}`)).toEqual([
      '/r=1',
      '/gone=1',
      '/gone=0',
      '/r=2',
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
