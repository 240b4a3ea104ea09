/**
 * The open chat's body: the timeline, who is typing, the visitor's name and the composer. A chunk
 * of its own (with its styles), loaded when the visitor is about to open the chat (idle time after
 * load, hover or focus on the launcher) or at once for an inline chat: a page where nobody opens
 * the chat never pays for it. It renders into `<page-chat>`'s shadow root through `PanelHost`;
 * the element keeps the connection, the launcher and the panel's frame.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { LIMITS, type Message, type ProtocolError } from '../backend/protocol.js';
import type { ChatController } from './chat-controller.js';
import { Conversation } from './conversation.js';
import {
  errorText,
  formatNumber,
  plural,
  translate,
  typingText,
  type Language,
  type MessageKey,
  type Params,
} from './i18n.js';
import { characterCount, textProblem } from './limits.js';
import { hue, initial } from './mark.js';
import type { Pending } from './outbox.js';
import type { TimelineEntry } from './timeline.js';

/** Messages of one visitor closer together than this are shown as one group, named once. */
const GROUP_MS = 5 * 60_000;

export { panelStyles } from './panel.styles.js';

const SEND_ICON = 'M5 12h13M12 5l7 7-7 7';

/** How the element frames the panel at this render. */
export interface Frame {
  floating: boolean;
  /** Whether the panel is shown (always inline; when open, floating). */
  shown: boolean;
  onKey(event: KeyboardEvent): void;
  close(): void;
}

const CLOSE_ICON = 'M6 6l12 12M18 6 6 18';

/** What the panel needs of its element. */
export interface PanelHost {
  readonly chat: ChatController;
  readonly renderRoot: HTMLElement | DocumentFragment;
  /** The widget's language. */
  lang(): Language;
  /** The message length limit. */
  max(): number;
  /** Resolves once the element has rendered its pending changes. */
  settled(): Promise<unknown>;
  requestUpdate(): void;
}

export class Panel {
  readonly #host: PanelHost;
  /** Sending, typing and renaming: plugged into the element's connection from here. */
  readonly #talk: Conversation;
  #draft = '';
  #problem = '';
  #editing = false;
  /** Whether the log was scrolled to its end, so new messages keep it there. */
  #stick = true;
  #timeFormat: { code: string; format: Intl.DateTimeFormat } | undefined;

  constructor(host: PanelHost) {
    this.#host = host;
    this.#talk = new Conversation(host.chat, (error, text) => this.problem(error, text));
  }

  get #lang(): Language {
    return this.#host.lang();
  }

  #t(key: MessageKey, params?: Params): string {
    return translate(this.#lang, key, params);
  }

  #update(): void {
    this.#host.requestUpdate();
  }

  /** The panel was opened: show the newest messages. */
  opened(): void {
    this.#stick = true;
  }

  /** The visitor's own message was confirmed: any complaint about it is over. */
  ownMessage(): void {
    this.#problem = '';
    this.#stick = true;
    this.#update();
  }

  /** A send failed; a text the server will never take comes back to an empty composer. */
  problem(error: ProtocolError, text?: string): void {
    if (text !== undefined && this.#draft.trim() === '') this.#draft = text;
    this.#showProblem(error, this.#host.max());
  }

  /** Escape inside the panel: cancels a rename if one is open (true), else leaves it (false). */
  escape(): boolean {
    if (!this.#editing) return false;
    void this.#editName(false);
    return true;
  }

  /** Keeps the log at its end after an update, unless the visitor scrolled up. */
  updated(): void {
    const log = this.#host.renderRoot.querySelector('.log');
    if (log && this.#stick) log.scrollTop = log.scrollHeight;
  }

  #showProblem(error: Pick<ProtocolError, 'code' | 'retryAfterMs'>, max: number): void {
    this.#problem = errorText(this.#lang, error.code, { retryAfterMs: error.retryAfterMs, max });
    this.#update();
  }

  #submit(event?: Event): void {
    event?.preventDefault();
    const max = this.#host.max();
    const problem = textProblem(this.#draft, max);
    if (problem === 'too_long') return this.#showProblem({ code: problem }, max);
    if (problem === 'empty') return;
    this.#talk.send(this.#draft);
    this.#draft = '';
    this.#problem = '';
    this.#stick = true;
    this.#update();
  }

  #onComposerKey(event: KeyboardEvent): void {
    // Enter sends, Shift+Enter is a new line; Enter that ends an IME composition is neither.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) this.#submit(event);
  }

  #onInput(event: Event): void {
    this.#draft = (event.target as HTMLTextAreaElement).value;
    this.#problem = '';
    this.#talk.typing();
    this.#update();
  }

  async #saveName(event: Event): Promise<void> {
    event.preventDefault();
    const input = this.#host.renderRoot.querySelector('input');
    const error = input && (await this.#talk.rename(input.value));
    if (error) {
      this.#showProblem(error, LIMITS.nameMax);
      return input?.focus();
    }
    this.#problem = '';
    await this.#editName(false);
  }

  /** Opens or closes the name editor, moving focus into it or back to its button. */
  async #editName(editing: boolean): Promise<void> {
    this.#editing = editing;
    this.#update();
    await this.#host.settled();
    this.#host.renderRoot.querySelector<HTMLElement>(editing ? 'input' : '.link')?.focus();
  }

  #onScroll(event: Event): void {
    const log = event.target as HTMLElement;
    this.#stick = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }

  render(frame: Frame): TemplateResult {
    const chat = this.#host.chat;
    const { count, status } = chat;
    const { floating } = frame;
    return html`<section
      id="panel"
      part="panel"
      class="panel"
      role=${floating ? 'dialog' : 'region'}
      aria-labelledby="title"
      ?hidden=${!frame.shown}
      @keydown=${frame.onKey}
    >
      <div class="head" part="header">
        <div>
          <h2 id="title" part="title">${this.#t('title')}</h2>
          <p part="presence" class="small ${status === 'connected' ? 'live' : ''}">
            ${count === undefined ? this.#t('connecting') : plural(this.#lang, 'people', count)}
          </p>
        </div>
        ${
          floating
            ? html`<button
                part="close-button"
                class="close"
                aria-label=${this.#t('close')}
                @click=${frame.close}
              >
                <svg viewBox="0 0 24 24" aria-hidden="true"><path d=${CLOSE_ICON} /></svg>
              </button>`
            : nothing
        }
      </div>
      ${this.#renderStatus()} ${this.#renderBody()}
    </section>`;
  }

  /**
   * The connection state in words; nothing while connected. Every other status is also a
   * message key, so a new status cannot compile without its words.
   */
  #renderStatus(): TemplateResult | typeof nothing {
    const { status, refusal } = this.#host.chat;
    if (status === 'connected' || status === 'idle') return nothing;
    const text =
      status === 'refused' ? errorText(this.#lang, refusal ?? 'internal') : this.#t(status);
    return html`<p part="status" class="small status" role="status">${text}</p>`;
  }

  #renderBody(): TemplateResult {
    const chat = this.#host.chat;
    const { count, welcome, timeline } = chat;
    const { pending } = this.#talk;
    return html`<div
        class="log"
        part="log"
        tabindex="0"
        role="region"
        aria-label=${this.#t('messages')}
        @scroll=${(e: Event) => this.#onScroll(e)}
      >
        ${welcome ? html`<p class="welcome" part="welcome" dir="auto">${welcome}</p>` : nothing}
        <ol>
          ${timeline.map((entry, i) => this.#renderEntry(entry, timeline[i - 1]))}
          ${pending.map((item) => this.#renderPending(item))}
          ${
            timeline.length + pending.length === 0 && count !== undefined
              ? html`<li class="notice">${this.#t('empty')}</li>`
              : nothing
          }
        </ol>
      </div>
      <p class="typing" part="typing">
        ${typingText(this.#lang, [...this.#talk.typists.values()])}
      </p>
      ${this.#renderIdentity()} ${this.#renderComposer()}`;
  }

  #renderEntry(entry: TimelineEntry, previous: TimelineEntry | undefined): TemplateResult {
    if (entry.kind === 'notice') {
      return html`<li class="notice" part="notice">${this.#t(entry.notice, entry)}</li>`;
    }
    return this.#renderMessage(entry.message, previous);
  }

  #renderMessage(message: Message, previous: TimelineEntry | undefined): TemplateResult {
    const { id, name: chosen } = message.visitor;
    // Own is decided by the visitor id alone: someone who calls themself "You" is not this visitor.
    const own = id === this.#host.chat.me?.id;
    const name = own ? this.#t('you') : chosen;
    const grouped =
      previous?.kind === 'message' &&
      previous.message.visitor.id === id &&
      message.ts - previous.message.ts < GROUP_MS;
    const code = this.#lang.code;
    if (this.#timeFormat?.code !== code) {
      this.#timeFormat = { code, format: new Intl.DateTimeFormat(code, { timeStyle: 'short' }) };
    }
    const date = new Date(message.ts);
    return html`<li
      class="msg ${own ? 'own' : ''} ${grouped ? 'cont' : ''}"
      part="message${own ? ' own' : ''}"
    >
      ${
        grouped
          ? html`<bdi class="sr">${name}</bdi>`
          : html`<p class="meta">
              ${
                // Others' groups get their mark: a colour from the visitor id and the initial.
                // `.style` is set through the CSSOM, which a strict CSP allows.
                own
                  ? nothing
                  : html`<b class="mark" part="mark" aria-hidden="true" .style=${`--h:${hue(id)}`}
                      >${initial(chosen)}</b
                    >`
              }<bdi part="name">${name}</bdi>
              <time part="time" datetime=${date.toISOString()}
                >${this.#timeFormat.format.format(date)}</time
              >
            </p>`
      }
      <p class="text" part="text" dir="auto">${message.text}</p>
    </li>`;
  }

  #renderPending(item: Pending): TemplateResult {
    const waiting = item.state === 'queued' && this.#host.chat.status !== 'connected';
    return html`<li class="msg own pending" part="message own pending">
      <p class="meta">
        <bdi part="name">${this.#t('you')}</bdi>${this.#t(waiting ? 'queued' : 'sending')}
      </p>
      <p class="text" part="text" dir="auto">${item.text}</p>
    </li>`;
  }

  #renderIdentity(): TemplateResult {
    const me = this.#host.chat.me;
    if (this.#editing) {
      return html`<form class="me" part="identity" @submit=${(e: Event) => this.#saveName(e)}>
        <label for="name">${this.#t('name')}</label>
        <input
          id="name"
          part="name-input"
          dir="auto"
          .value=${me?.name ?? ''}
          autocomplete="nickname"
        />
        <button class="btn">${this.#t('save')}</button>
        <button class="btn" type="button" @click=${() => this.#editName(false)}>
          ${this.#t('cancel')}
        </button>
      </form>`;
    }
    // "You are {name}" with the name in bold and isolated: the sentence is split around its
    // placeholder.
    const [before, after] = this.#t('as').split('{name}');
    return html`<p class="me" part="identity">
      ${me ? html`<span>${before}<bdi>${me.name}</bdi>${after}</span>` : nothing}
      <button class="link" part="name-button" type="button" @click=${() => this.#editName(true)}>
        ${this.#t('rename')}
      </button>
    </p>`;
  }

  #renderComposer(): TemplateResult {
    const max = this.#host.max();
    const used = characterCount(this.#draft.trim());
    const over = used > max;
    const lang = this.#lang;
    const disabled = !used || over || this.#host.chat.status === 'refused';
    return html`<form class="composer" part="composer" @submit=${(e: Event) => this.#submit(e)}>
        <textarea
          part="input"
          rows="1"
          dir="auto"
          .value=${this.#draft}
          placeholder=${this.#t('placeholder')}
          aria-label=${this.#t('input')}
          aria-describedby="counter"
          @input=${(e: Event) => this.#onInput(e)}
          @keydown=${(e: KeyboardEvent) => this.#onComposerKey(e)}
          @blur=${() => this.#talk.stopTyping()}
        ></textarea>
        <button part="send-button" class="send" aria-label=${this.#t('send')} ?disabled=${disabled}>
          <svg viewBox="0 0 24 24" aria-hidden="true"><path d=${SEND_ICON} /></svg>
        </button>
      </form>
      <p class="foot">
        <span class="error" part="error" role="alert">${this.#problem}</span>
        <span id="counter" class="counter ${over ? 'over' : ''}" part="counter">
          <span aria-hidden="true">${formatNumber(lang, used)}/${formatNumber(lang, max)}</span>
          <span class="sr">${plural(this.#lang, 'chars', Math.max(0, max - used))}</span>
        </span>
      </p>`;
  }
}
