/**
 * The npm entry of the widget (`pagechat/widget`, built to `dist/widget.esm.js`): registers
 * `<page-chat>` on import and exports the element and its public types, for applications that
 * place the element themselves. The script customers paste is `loader.ts`, which imports `boot.ts`.
 */
import { defineElements } from './define.js';

defineElements();

export { PageChat } from './page-chat.js';
export { TAG_NAME, defineElements } from './define.js';
export type { ChatStatus } from './chat-controller.js';
export type {
  PageChatEventDetails,
  PageChatEventName,
  PageChatMessageDetail,
  PageChatPresenceDetail,
  PageChatSessionDetail,
} from './events.js';
export type { Layout, Position, Theme, Transport } from './options.js';
export type { RoomMapping } from './room-key.js';
