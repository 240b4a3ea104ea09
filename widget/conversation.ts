/**
 * The visitor's side of the conversation: sending (the outbox of unconfirmed messages, resends
 * with the same nonce, what to do when the server refuses), typing in both directions, and
 * renaming. It ships in the panel's chunk (nobody sends before the panel is there) and plugs into
 * the element's `ChatController`, which keeps the connection, the room and the timeline, and runs
 * the loop that delivers what is queued here (`ChatController.attach`).
 */
import type { Ack, NameResult, ProtocolError, SendResult } from '../backend/protocol.js';
import {
  ACK_TIMEOUT_MS,
  ask,
  RETRY_MS,
  type ChatController,
  type ChatSocket,
} from './chat-controller.js';
import { nameProblem } from './limits.js';
import { MAX_ATTEMPTS, Outbox, recoveryFor, type Pending } from './outbox.js';

/** Typing stops being announced after this long without a keystroke. */
const TYPING_IDLE_MS = 3_000;
/** Someone else's "typing" is forgotten after this long, in case their "stopped" got lost. */
const TYPIST_EXPIRY_MS = 8_000;

export class Conversation {
  readonly outbox = new Outbox();
  /** Names of the others typing in the room, by visitor id. */
  readonly typists = new Map<string, string>();
  #typingSent = false;
  readonly #chat: ChatController;
  /** A send failed; `text` is handed back when retrying cannot help, so it is not lost. */
  readonly #problem: (error: ProtocolError, text?: string) => void;

  constructor(chat: ChatController, problem: (error: ProtocolError, text?: string) => void) {
    this.#chat = chat;
    this.#problem = problem;
    chat.attach(this);
  }

  /** Messages of this room that the server has not confirmed yet. */
  get pending(): Pending[] {
    return this.outbox.items.filter((item) => item.room === this.#chat.room);
  }

  /** Listens to a new socket for what this side shows: who is typing. */
  listen(socket: ChatSocket): void {
    socket.on('typing', ({ room, visitor, typing }) => {
      if (!this.#chat.here(room) || visitor.id === this.#chat.me?.id) return;
      if (!typing) return this.#dropTypist(visitor.id);
      this.typists.set(visitor.id, visitor.name);
      this.#chat.later(`typist:${visitor.id}`, TYPIST_EXPIRY_MS, () =>
        this.#dropTypist(visitor.id),
      );
      this.#chat.update();
    });
    socket.on('renamed', ({ room, visitor }) => {
      if (!this.#chat.here(room) || !this.typists.has(visitor.id)) return;
      this.typists.set(visitor.id, visitor.name);
      this.#chat.update();
    });
    // Someone who sent a message or left has stopped typing.
    socket.on('message', ({ visitor }) => this.#dropTypist(visitor.id));
    socket.on('left', ({ visitor }) => this.#dropTypist(visitor.id));
  }

  /** The connection is gone: what was in flight is queued again, nobody is typing. */
  reset(): void {
    this.#typingSent = false;
    this.#clearTypists();
    this.outbox.requeueAll();
  }

  /** The page moved to another room. */
  moved(): void {
    this.stopTyping();
    this.#clearTypists();
  }

  /** Queues a message for this room and sends it as soon as the connection allows. */
  send(text: string): void {
    const trimmed = text.trim();
    const room = this.#chat.room;
    if (room === undefined || trimmed === '') return;
    this.stopTyping();
    this.outbox.add(room, trimmed);
    this.#chat.update();
    this.#chat.pump();
  }

  /** A keystroke in the composer: announces typing once, and its end after a pause. */
  typing(): void {
    const socket = this.#chat.inRoom();
    if (!this.#typingSent && socket) {
      socket.emit('typing', { typing: true });
      this.#typingSent = true;
    }
    this.#chat.later('typing', TYPING_IDLE_MS, () => this.stopTyping());
  }

  stopTyping(): void {
    this.#chat.clear('typing');
    if (!this.#typingSent) return;
    this.#typingSent = false;
    const socket = this.#chat.socket;
    if (socket?.connected) socket.emit('typing', { typing: false });
  }

  /**
   * Sets the display name. Kept in storage and sent as `auth.name` on later connections; while
   * disconnected it is only stored and applies on the next connection.
   */
  async rename(raw: string): Promise<ProtocolError | undefined> {
    const name = raw.trim();
    const code = nameProblem(name);
    if (code) return { code, message: code };
    const chat = this.#chat;
    const socket = chat.socket;
    if (socket?.connected) {
      const res = await ask<Ack<NameResult>>((cb) =>
        socket.timeout(ACK_TIMEOUT_MS).emit('name:set', { name }, cb),
      );
      if (!res) return { code: 'internal', message: 'no answer' };
      if (!res.ok) return res.error;
      chat.me = res.visitor;
    } else if (chat.me) {
      chat.me = { ...chat.me, name };
    }
    chat.keepName(name);
    chat.update();
    return undefined;
  }

  /** Sends one queued message and settles it by the answer. */
  async deliver(socket: ChatSocket, item: Pending): Promise<void> {
    item.state = 'sending';
    this.#chat.update();
    const res = await ask<Ack<SendResult>>((cb) =>
      socket
        .timeout(ACK_TIMEOUT_MS)
        .emit('message:send', { text: item.text, nonce: item.nonce }, cb),
    );
    if (!res) {
      // No answer: the server may or may not have it. The same nonce makes the resend safe.
      this.outbox.requeue(item.nonce, socket.connected ? Date.now() + RETRY_MS : 0);
    } else if (res.ok) {
      this.outbox.remove(item.nonce);
      this.#chat.confirmed(res.message);
    } else {
      this.#refused(item, res.error);
    }
    this.#chat.update();
  }

  #refused(item: Pending, error: ProtocolError): void {
    // Slowing down always helps eventually; a server that keeps failing gets the text handed back.
    const exhausted = error.code !== 'rate_limited' && item.attempts + 1 >= MAX_ATTEMPTS;
    const recovery = exhausted ? 'give-back' : recoveryFor(error.code);
    switch (recovery) {
      case 'wait':
        this.outbox.requeue(item.nonce, Date.now() + (error.retryAfterMs ?? RETRY_MS), true);
        this.#problem(error);
        break;
      case 'rejoin':
        this.#chat.rejoin();
        this.outbox.requeue(item.nonce, 0, true);
        break;
      case 'give-back':
        this.outbox.remove(item.nonce);
        this.#problem(error, item.text);
        break;
    }
  }

  #dropTypist(id: string): void {
    this.#chat.clear(`typist:${id}`);
    if (this.typists.delete(id)) this.#chat.update();
  }

  #clearTypists(): void {
    for (const id of this.typists.keys()) this.#chat.clear(`typist:${id}`);
    this.typists.clear();
  }
}
