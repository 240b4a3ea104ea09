/**
 * Storage interfaces. The realtime layer talks only to these; which implementation it gets is
 * chosen once at start-up from the configuration.
 */
import type { Message } from '../protocol.js';

export interface AppendResult {
  /** The stored message: the new one, or the original when the nonce was seen before. */
  message: Message;
  /** True when the nonce matched an earlier message and nothing new was stored. */
  duplicate: boolean;
}

export interface MessageStore {
  /**
   * Stores `message` durably before resolving. With a `nonce` already used by the same visitor on
   * the same site, stores nothing and resolves with the original message.
   */
  append(site: string, message: Message, nonce?: string): Promise<AppendResult>;
  /** The message a visitor sent earlier with `nonce`, if it is still kept. */
  findByNonce(site: string, visitorId: string, nonce: string): Promise<Message | undefined>;
  /** The newest `limit` messages of a room, oldest first. */
  recent(site: string, room: string, limit: number): Promise<Message[]>;
  close(): Promise<void>;
}
