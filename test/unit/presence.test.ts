/**
 * Presence arithmetic (backend/presence.ts): counts are distinct visitors, a visitor's first socket
 * in a room is an arrival and their last socket is a departure, exactly when the protocol sends
 * `joined` and `left`.
 */
import { describe, expect, it } from 'vitest';
import { PresenceTracker } from '../../backend/ephemeral/presence.js';

describe('PresenceTracker', () => {
  it('counts distinct visitors, not sockets', () => {
    const p = new PresenceTracker();
    expect(p.add('/r', 'alice')).toEqual({ count: 1, visitorChanged: true });
    expect(p.add('/r', 'bob')).toEqual({ count: 2, visitorChanged: true });
    expect(p.add('/r', 'alice')).toEqual({ count: 2, visitorChanged: false });
    expect(p.count('/r')).toBe(2);
  });

  it('reports a departure only when the last socket of a visitor leaves', () => {
    const p = new PresenceTracker();
    p.add('/r', 'alice');
    p.add('/r', 'alice');
    p.add('/r', 'bob');
    expect(p.remove('/r', 'alice')).toEqual({ count: 2, visitorChanged: false });
    expect(p.remove('/r', 'alice')).toEqual({ count: 1, visitorChanged: true });
    expect(p.remove('/r', 'bob')).toEqual({ count: 0, visitorChanged: true });
    expect(p.count('/r')).toBe(0);
  });

  it('keeps rooms apart', () => {
    const p = new PresenceTracker();
    p.add('/a', 'alice');
    p.add('/b', 'alice');
    p.add('/b', 'bob');
    expect(p.count('/a')).toBe(1);
    expect(p.count('/b')).toBe(2);
    expect(p.roomCount).toBe(2);
  });

  it('forgets empty rooms', () => {
    const p = new PresenceTracker();
    p.add('/a', 'alice');
    p.remove('/a', 'alice');
    expect(p.roomCount).toBe(0);
  });

  it('ignores removing a visitor who is not there', () => {
    const p = new PresenceTracker();
    expect(p.remove('/nowhere', 'alice')).toEqual({ count: 0, visitorChanged: false });
    p.add('/r', 'bob');
    expect(p.remove('/r', 'alice')).toEqual({ count: 1, visitorChanged: false });
    expect(p.count('/r')).toBe(1);
  });

  it('handles many visitors', () => {
    const p = new PresenceTracker();
    for (let i = 0; i < 1000; i++) p.add('/big', `v${i}`);
    for (let i = 0; i < 1000; i += 2) p.remove('/big', `v${i}`);
    expect(p.count('/big')).toBe(500);
  });
});
