/**
 * The timeline a room shows: messages and the small notices between them ("Ada joined"). Pure
 * functions, so merging the history a re-join brings never duplicates or reorders what is shown.
 */
import type { Message } from '../backend/protocol.js';

/** What a notice says; the element words it in the visitor's language. */
export type NoticeKind = 'joined' | 'left';

export type TimelineEntry =
  | { kind: 'message'; id: string; message: Message }
  | { kind: 'notice'; id: string; notice: NoticeKind; name: string };

/** Entries kept per room: enough to scroll back through a conversation, bounded for memory. */
export const TIMELINE_MAX = 200;

/**
 * The timeline with `messages` merged in by id. Known ids are skipped (history after a reconnect
 * repeats what is on screen). New messages go before the first shown message that is newer by
 * the server's clock, else at the end; notices keep their places (they have no server time). Oldest entries beyond `max` go.
 */
export function mergeMessages(
  timeline: readonly TimelineEntry[],
  messages: readonly Message[],
  max: number = TIMELINE_MAX,
): TimelineEntry[] {
  const out = [...timeline];
  const known = new Set(out.filter((e) => e.kind === 'message').map((e) => e.id));
  const fresh: Message[] = [];
  for (const message of messages) {
    if (known.has(message.id)) continue;
    known.add(message.id);
    fresh.push(message);
  }
  fresh.sort((a, b) => a.ts - b.ts);
  for (const message of fresh) {
    const at = out.findIndex((e) => e.kind === 'message' && e.message.ts > message.ts);
    const entry: TimelineEntry = { kind: 'message', id: message.id, message };
    if (at < 0) out.push(entry);
    else out.splice(at, 0, entry);
  }
  return out.slice(-max);
}

let noticeSeq = 0;

/** The timeline with a notice about `name` appended (ids are local: notices are not messages). */
export function addNotice(
  timeline: readonly TimelineEntry[],
  notice: NoticeKind,
  name: string,
  max: number = TIMELINE_MAX,
): TimelineEntry[] {
  const entry: TimelineEntry = { kind: 'notice', id: `n${++noticeSeq}`, notice, name };
  const out = [...timeline, entry];
  return out.slice(-max);
}
