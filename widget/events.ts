/**
 * The DOM events `<page-chat>` dispatches for the host page, typed into
 * `GlobalEventHandlersEventMap` so `el.addEventListener('page-chat:message', e => e.detail…)`
 * type-checks. All bubble and cross the shadow boundary (`composed`), so a listener on
 * `document` hears them too.
 */
import type { Message } from '../backend/protocol.js';

export interface PageChatMessageDetail {
  message: Message;
  /** True for the visitor's own messages (from this tab or another tab of the same visitor). */
  own: boolean;
}

export interface PageChatPresenceDetail {
  room: string;
  /** Distinct visitors in the room, this one included. */
  count: number;
}

export interface PageChatSessionDetail {
  /** The visitor's id on this site, stable across visits while storage allows. */
  visitorId: string;
  name: string;
}

/** Event name → `detail` type of every public event. */
export interface PageChatEventDetails {
  /** A message arrived, or one of the visitor's own was confirmed by the server. */
  'page-chat:message': PageChatMessageDetail;
  /** The number of people on this page changed (or became known after joining). */
  'page-chat:presence': PageChatPresenceDetail;
  /** The server accepted the connection and told the widget who the visitor is. */
  'page-chat:session': PageChatSessionDetail;
  /** The panel opened. */
  'page-chat:open': null;
  /** The panel closed. */
  'page-chat:close': null;
}

export type PageChatEventName = keyof PageChatEventDetails;

declare global {
  interface GlobalEventHandlersEventMap {
    'page-chat:message': CustomEvent<PageChatMessageDetail>;
    'page-chat:presence': CustomEvent<PageChatPresenceDetail>;
    'page-chat:session': CustomEvent<PageChatSessionDetail>;
    'page-chat:open': CustomEvent<null>;
    'page-chat:close': CustomEvent<null>;
  }
}

/** Dispatches a public event from `target`, bubbling and composed. */
export function emit<K extends PageChatEventName>(
  target: EventTarget,
  type: K,
  detail: PageChatEventDetails[K],
): void {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}
