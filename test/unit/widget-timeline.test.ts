/**
 * The timeline: history brought by a (re)join merges by message id, so a reconnect never shows a
 * message twice, and notices stay where they happened.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../backend/protocol.js';
import { addNotice, mergeMessages, type TimelineEntry } from '../../widget/timeline.js';

const msg = (id: string, ts: number): Message => ({
  id,
  room: '/r',
  visitor: { id: 'v', name: 'Ada' },
  text: `text ${id}`,
  ts,
});
const ids = (timeline: TimelineEntry[]) =>
  timeline.map((e) => (e.kind === 'message' ? e.id : `(${e.notice} ${e.name})`));

describe('mergeMessages', () => {
  it('adds history in time order', () => {
    expect(ids(mergeMessages([], [msg('b', 2), msg('a', 1)]))).toEqual(['a', 'b']);
  });

  it('skips messages already shown, and duplicates within the batch', () => {
    const shown = mergeMessages([], [msg('a', 1), msg('b', 2)]);
    const merged = mergeMessages(shown, [msg('a', 1), msg('b', 2), msg('c', 3), msg('c', 3)]);
    expect(ids(merged)).toEqual(['a', 'b', 'c']);
  });

  it('slots a missed message before newer ones, leaving notices in place', () => {
    let timeline = mergeMessages([], [msg('a', 1)]);
    timeline = addNotice(timeline, 'joined', 'Bo');
    timeline = mergeMessages(timeline, [msg('c', 30)]);
    timeline = mergeMessages(timeline, [msg('b', 20)]);
    expect(ids(timeline)).toEqual(['a', '(joined Bo)', 'b', 'c']);
  });

  it('keeps only the newest entries beyond the limit', () => {
    const many = Array.from({ length: 10 }, (_, i) => msg(`m${i}`, i));
    expect(ids(mergeMessages([], many, 3))).toEqual(['m7', 'm8', 'm9']);
  });

  it('does not change the timeline it was given', () => {
    const shown = mergeMessages([], [msg('a', 1)]);
    mergeMessages(shown, [msg('b', 2)]);
    addNotice(shown, 'left', 'Ada');
    expect(ids(shown)).toEqual(['a']);
  });
});

describe('addNotice', () => {
  it('gives each notice its own id', () => {
    const timeline = addNotice(addNotice([], 'joined', 'Ada'), 'left', 'Ada');
    expect(new Set(timeline.map((e) => e.id)).size).toBe(2);
  });
});
