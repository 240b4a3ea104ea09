/**
 * The outbox: messages the visitor wrote that the server has not yet confirmed, each with the
 * nonce that makes a resend safe (PROTOCOL.md: the same nonce from the same visitor returns the
 * original message and broadcasts nothing). Pure bookkeeping; the controller does the sending.
 */
import type { ErrorCode } from '../backend/protocol.js';

export interface Pending {
  /** Client-chosen id of this message, kept across every resend. */
  readonly nonce: string;
  /** The room it was written in; it is delivered there even if the page has moved on. */
  readonly room: string;
  readonly text: string;
  /** `sending` while a request for it is in flight. */
  state: 'queued' | 'sending';
  /** Not before this time (ms since epoch): set after `rate_limited` or a server failure. */
  retryAt: number;
  /** Failed attempts so far; a message the server keeps failing is eventually given back. */
  attempts: number;
}

/** How many `internal` failures a message survives before it is handed back to the visitor. */
export const MAX_ATTEMPTS = 3;

/**
 * A random nonce: 16 bytes as 32 hex digits. `crypto.getRandomValues` works on plain-http pages
 * too, where `crypto.randomUUID` does not exist.
 */
export function createNonce(
  fill: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b),
): string {
  return Array.from(fill(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What to do with a message the server refused, by error code. */
export type SendRecovery = 'wait' | 'rejoin' | 'give-back';

/**
 * `wait`: keep it queued and try again later (the server asked us to slow down or failed);
 * `rejoin`: the socket lost its room, join again and resend; `give-back`: retrying cannot help,
 * so the text goes back to the composer with the reason.
 */
export function recoveryFor(code: ErrorCode): SendRecovery {
  switch (code) {
    case 'rate_limited':
    case 'internal':
      return 'wait';
    case 'not_joined':
      return 'rejoin';
  }
  // Retrying cannot help with the rest. Checked at compile time only, so a new error code cannot
  // go unclassified; a code only a newer server knows is given back too.
  void (code satisfies
    | 'too_long'
    | 'invalid_payload'
    | 'banned'
    | 'read_only'
    | 'text_not_allowed'
    | 'invalid_site'
    | 'site_not_allowed'
    | 'origin_not_allowed');
  return 'give-back';
}

/** Messages in the order written; the head is always delivered first so order is kept. */
export class Outbox {
  readonly items: Pending[] = [];

  add(room: string, text: string, nonce: string = createNonce()): Pending {
    const item: Pending = { nonce, room, text, state: 'queued', retryAt: 0, attempts: 0 };
    this.items.push(item);
    return item;
  }

  /** The next message to deliver, or `undefined` when there is none or the head must wait. */
  next(now: number): Pending | undefined {
    const head = this.items[0];
    return head && head.state === 'queued' && head.retryAt <= now ? head : undefined;
  }

  /** When the waiting head may be retried, or `undefined` when nothing waits. */
  wakeAt(): number | undefined {
    const head = this.items[0];
    return head && head.state === 'queued' && head.retryAt > 0 ? head.retryAt : undefined;
  }

  remove(nonce: string): Pending | undefined {
    const index = this.items.findIndex((item) => item.nonce === nonce);
    return index < 0 ? undefined : this.items.splice(index, 1)[0];
  }

  /** Back to the queue, for a resend with the same nonce at `retryAt` (0: as soon as possible). */
  requeue(nonce: string, retryAt = 0, failed = false): void {
    const item = this.items.find((i) => i.nonce === nonce);
    if (!item) return;
    item.state = 'queued';
    item.retryAt = retryAt;
    if (failed) item.attempts += 1;
  }

  /** Every message that was in flight goes back to the queue (the connection dropped). */
  requeueAll(): void {
    for (const item of this.items) item.state = 'queued';
  }
}
