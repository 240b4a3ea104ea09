/**
 * `<page-chat>`: the chat room of the page it sits on, as one custom element in Shadow DOM. It
 * renders what its `ChatController` knows (count, messages, notices, typing, the visitor's name,
 * connection state) and turns the visitor's actions into controller calls; the controller owns
 * the socket. The embed script places it as a floating launcher (`layout="floating"`); a page
 * author may place it inline (the default layout), where the panel is always shown.
 */
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { LIMITS, type Message, type ProtocolError } from '../backend/protocol.js';
import { ChatController, type ChatStatus, type ChatTarget } from './chat-controller.js';
import { emit } from './events.js';
import {
  errorText,
  plural,
  resolveLang,
  translate,
  typingText,
  type Lang,
  type MessageKey,
  type Params,
} from './i18n.js';
import { characterCount, textProblem } from './limits.js';
import { hue, initial } from './mark.js';
import { watchNavigation } from './navigation.js';
import {
  parseMapping,
  parseTransports,
  resolveServer,
  siteProblem,
  type Layout,
  type Position,
  type Theme,
} from './options.js';
import type { Pending } from './outbox.js';
import { deriveRoomKey } from './room-key.js';
import { styles } from './page-chat.styles.js';
import type { TimelineEntry } from './timeline.js';

/** Messages of one visitor closer together than this are shown as one group, named once. */
const GROUP_MS = 5 * 60_000;

const icon = (path: string): TemplateResult =>
  html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d=${path} /></svg>`;
const CHAT_ICON = 'M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12Z';
const CLOSE_ICON = 'M6 6l12 12M18 6 6 18';
const SEND_ICON = 'M5 12h13M12 5l7 7-7 7';

export class PageChat extends LitElement {
  static override styles = styles;

  /**
   * Server and site from the embed script's tag, for elements placed inline without their own
   * `server`/`site` attributes. Set by the embed script before the element is defined.
   */
  static embedDefaults: { server?: string; site?: string } = {};

  /**
   * One property style throughout the widget: `static properties` with `declare`d fields (no
   * decorators, so no decorator compiler settings; `useDefineForClassFields: false` keeps class
   * fields from shadowing Lit's accessors). Internal state is underscore-prefixed, which lets the
   * bundler shorten those names.
   */
  static override properties = {
    site: {},
    server: {},
    room: {},
    mapping: {},
    theme: { reflect: true },
    position: { reflect: true },
    layout: { reflect: true },
    locale: { attribute: 'lang' },
    transports: {},
    opened: { type: Boolean, reflect: true, attribute: 'open' },
    maxLength: { type: Number, attribute: 'max-length' },
    _draft: { state: true },
    _problem: { state: true },
    _unread: { state: true },
    _announcement: { state: true },
    _editing: { state: true },
  };

  /** The site's name on the chat server (the Socket.IO namespace). Required. */
  declare site: string;
  /** Origin of the chat server; the embed script's origin, or the page's, when empty. */
  declare server: string;
  /** An explicit room key; the page's mapping is used when empty. */
  declare room: string;
  /** `pathname` (default), `url` or `title`: how the room key is derived from the page. */
  declare mapping: string;
  declare theme: Theme;
  declare position: Position;
  declare layout: Layout;
  /**
   * Language of the widget's words (`en`, `fr`), from the `lang` attribute; the page's or the
   * browser's language when empty. A property of its own, so the native `lang` is untouched.
   */
  declare locale: string;
  /** Transports to use, in order (`websocket,polling` by default). */
  declare transports: string;
  /** Whether the floating panel is open (attribute `open`). Inline panels are always shown. */
  declare opened: boolean;
  /** Longest message, in characters; match the server's `PAGECHAT_MAX_TEXT_LENGTH`. */
  declare maxLength: number;

  declare private _draft: string;
  declare private _problem: string;
  declare private _unread: number;
  declare private _announcement: string;
  declare private _editing: boolean;

  readonly #chat = new ChatController(this, () => this.#target(), {
    message: (message, own) => this.#onMessage(message, own),
    presence: (room, count) => emit(this, 'page-chat:presence', { room, count }),
    session: ({ id, name }) => emit(this, 'page-chat:session', { visitorId: id, name }),
    problem: (error, text) => this.#onProblem(error, text),
  });

  #stopWatching: (() => void) | undefined;
  /** Whether the log was scrolled to its end, so new messages keep it there. */
  #stick = true;
  #timeFormat: Intl.DateTimeFormat | undefined;

  constructor() {
    super();
    this.site = '';
    this.server = '';
    this.room = '';
    this.mapping = 'pathname';
    this.theme = 'auto';
    this.position = 'bottom-right';
    this.layout = 'inline';
    this.locale = '';
    this.transports = '';
    this.opened = false;
    this.maxLength = LIMITS.textMax;
    this._draft = '';
    this._problem = '';
    this._unread = 0;
    this._announcement = '';
    this._editing = false;
  }

  /** The visitor's id on this site, once the server has told it; stable across visits. */
  get visitorId(): string | undefined {
    return this.#chat.me?.id;
  }

  /** The connection state. */
  get status(): ChatStatus {
    return this.#chat.status;
  }

  /** The room key this page is in. */
  get roomKey(): string | undefined {
    return this.#chat.room;
  }

  /** People on this page right now, once known. */
  get count(): number | undefined {
    return this.#chat.count;
  }

  /** Opens the panel and moves focus into the composer. */
  async open(): Promise<void> {
    this.#setOpen(true);
    await this.updateComplete;
    this.renderRoot.querySelector('textarea')?.focus();
  }

  /** Closes the panel; focus that was inside it goes back to the launcher. */
  async close(): Promise<void> {
    const hadFocus = this.matches(':focus-within');
    this.#setOpen(false);
    await this.updateComplete;
    if (hadFocus) this.renderRoot.querySelector('button')?.focus();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#stopWatching = watchNavigation(window, () => this.#syncRoom());
    this.#syncRoom();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopWatching?.();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (
      this.hasUpdated &&
      (changed.has('server') || changed.has('site') || changed.has('transports'))
    ) {
      this.#chat.restart();
    }
    if (changed.has('room') || changed.has('mapping')) this.#syncRoom();
    if (changed.has('locale')) this.#timeFormat = undefined;
  }

  protected override updated(): void {
    const log = this.renderRoot.querySelector('.log');
    if (log && this.#stick) log.scrollTop = log.scrollHeight;
  }

  #target(): ChatTarget | undefined {
    const defaults = PageChat.embedDefaults;
    const site = this.site || defaults.site || '';
    const problem = siteProblem(site, 'site');
    if (problem !== undefined) {
      console.error(`[pagechat] <page-chat>: ${problem}`);
      return undefined;
    }
    return {
      server: resolveServer(this.server || defaults.server, undefined, location.href),
      site,
      transports: parseTransports(this.transports),
    };
  }

  /** Re-derives the room key from the page; the controller moves only if it changed. */
  #syncRoom(): void {
    const mapping = parseMapping(this.mapping);
    this.#chat.setRoom(
      deriveRoomKey({ room: this.room, mapping, location, title: document.title }),
    );
  }

  get #lang(): Lang {
    return resolveLang(this.locale, document.documentElement.lang, navigator.language);
  }

  #t(key: MessageKey, params?: Params): string {
    return translate(this.#lang, key, params);
  }

  #setOpen(open: boolean): void {
    if (this.opened === open) return;
    this.opened = open;
    this._unread = 0;
    this.#stick = true;
    emit(this, open ? 'page-chat:open' : 'page-chat:close', null);
  }

  get #showsPanel(): boolean {
    return this.layout !== 'floating' || this.opened;
  }

  #onMessage(message: Message, own: boolean): void {
    emit(this, 'page-chat:message', { message, own });
    if (own) {
      this._problem = '';
      this.#stick = true;
    } else if (this.#showsPanel) {
      this._announcement = this.#t('said', { name: message.visitor.name, text: message.text });
    } else {
      this._unread += 1;
    }
  }

  #onProblem(error: ProtocolError, text?: string): void {
    this.#showProblem(error, this.#max);
    // A message the server will never take goes back to the composer, unless the visitor has
    // started writing something else.
    if (text !== undefined && this._draft.trim() === '') this._draft = text;
  }

  /** The message length limit: the `max-length` attribute when it is a usable number. */
  get #max(): number {
    return this.maxLength > 0 ? this.maxLength : LIMITS.textMax;
  }

  #showProblem(error: Pick<ProtocolError, 'code' | 'retryAfterMs'>, max: number): void {
    this._problem = errorText(this.#lang, error.code, { retryAfterMs: error.retryAfterMs, max });
  }

  #submit(event?: Event): void {
    event?.preventDefault();
    const problem = textProblem(this._draft, this.#max);
    if (problem === 'too_long') return this.#showProblem({ code: problem }, this.#max);
    if (problem === 'empty') return;
    this.#chat.send(this._draft);
    this._draft = '';
    this._problem = '';
    this.#stick = true;
  }

  #onComposerKey(event: KeyboardEvent): void {
    // Enter sends, Shift+Enter is a new line; Enter that ends an IME composition is neither.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) this.#submit(event);
  }

  #onInput(event: Event): void {
    this._draft = (event.target as HTMLTextAreaElement).value;
    this._problem = '';
    this.#chat.typing();
  }

  /** Escape cancels a rename, else closes the floating panel; otherwise the page gets it. */
  #onPanelKey(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || (!this._editing && this.layout !== 'floating')) return;
    event.stopPropagation();
    void (this._editing ? this.#editName(false) : this.close());
  }

  async #saveName(event: Event): Promise<void> {
    event.preventDefault();
    const input = this.renderRoot.querySelector('input');
    const error = input && (await this.#chat.rename(input.value));
    if (error) {
      this.#showProblem(error, LIMITS.nameMax);
      return input?.focus();
    }
    this._problem = '';
    await this.#editName(false);
  }

  /** Opens or closes the name editor, moving focus into it or back to its button. */
  async #editName(editing: boolean): Promise<void> {
    this._editing = editing;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(editing ? 'input' : '.link')?.focus();
  }

  #onScroll(event: Event): void {
    const log = event.target as HTMLElement;
    this.#stick = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }

  override render(): TemplateResult {
    const floating = this.layout === 'floating';
    const { count, status, welcome, timeline, pending } = this.#chat;
    const people = count === undefined ? '' : plural(this.#lang, 'people', count);
    const unread = this._unread ? plural(this.#lang, 'unread', this._unread) : '';
    // The widget's languages are all written left to right: its sentences and layout keep that
    // direction on right-to-left pages too (visitors' words are isolated and find their own).
    return html`<div class="root" lang=${this.#lang} dir="ltr">
      ${
        floating
          ? html`<button
              part="launcher"
              class="launcher"
              aria-expanded=${this.opened}
              aria-controls="panel"
              aria-label=${[this.#t('open'), people, unread].filter(Boolean).join(', ')}
              @click=${() => (this.opened ? this.close() : this.open())}
            >
              ${icon(CHAT_ICON)}<span part="count">${count}</span>
              ${
                this._unread
                  ? html`<span part="badge" class="badge">${Math.min(this._unread, 99)}</span>`
                  : nothing
              }
            </button>`
          : nothing
      }
      <section
        id="panel"
        part="panel"
        class="panel"
        role=${floating ? 'dialog' : 'region'}
        aria-labelledby="title"
        ?hidden=${!this.#showsPanel}
        @keydown=${this.#onPanelKey}
      >
        <div class="head" part="header">
          <div>
            <h2 id="title" part="title">${this.#t('title')}</h2>
            <p part="presence" class="small ${status === 'connected' ? 'live' : ''}">
              ${people || this.#t('connecting')}
            </p>
          </div>
          ${
            floating
              ? html`<button
                  part="close-button"
                  class="close"
                  aria-label=${this.#t('close')}
                  @click=${() => this.close()}
                >
                  ${icon(CLOSE_ICON)}
                </button>`
              : nothing
          }
        </div>
        ${this.#renderStatus()}
        <div
          class="log"
          part="log"
          tabindex="0"
          role="region"
          aria-label=${this.#t('messages')}
          @scroll=${this.#onScroll}
        >
          ${welcome ? html`<p class="welcome" part="welcome">${welcome}</p>` : nothing}
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
          ${typingText(this.#lang, [...this.#chat.typists.values()])}
        </p>
        ${this.#renderIdentity()} ${this.#renderComposer()}
      </section>
      <div class="sr" aria-live="polite">${this._announcement}</div>
    </div>`;
  }

  /**
   * The connection state in words; nothing while connected. Every other status is also a
   * message key, so a new status cannot compile without its words.
   */
  #renderStatus(): TemplateResult | typeof nothing {
    const { status, refusal } = this.#chat;
    if (status === 'connected' || status === 'idle') return nothing;
    const text =
      status === 'refused' ? errorText(this.#lang, refusal ?? 'internal') : this.#t(status);
    return html`<p part="status" class="small status" role="status">${text}</p>`;
  }

  #renderEntry(entry: TimelineEntry, previous: TimelineEntry | undefined): TemplateResult {
    if (entry.kind === 'notice') {
      return html`<li class="notice" part="notice">${this.#t(entry.notice, entry)}</li>`;
    }
    const { message } = entry;
    const { id, name: chosen } = message.visitor;
    // Own is decided by the visitor id alone: someone who calls themself "You" is not this visitor.
    const own = id === this.#chat.me?.id;
    const name = own ? this.#t('you') : chosen;
    const grouped =
      previous?.kind === 'message' &&
      previous.message.visitor.id === id &&
      message.ts - previous.message.ts < GROUP_MS;
    this.#timeFormat ??= new Intl.DateTimeFormat(this.#lang, { timeStyle: 'short' });
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
                >${this.#timeFormat.format(date)}</time
              >
            </p>`
      }
      <p class="text" part="text" dir="auto">${message.text}</p>
    </li>`;
  }

  #renderPending(item: Pending): TemplateResult {
    const waiting = item.state === 'queued' && this.#chat.status !== 'connected';
    return html`<li class="msg own pending" part="message own pending">
      <p class="meta">
        <bdi part="name">${this.#t('you')}</bdi>${this.#t(waiting ? 'queued' : 'sending')}
      </p>
      <p class="text" part="text" dir="auto">${item.text}</p>
    </li>`;
  }

  #renderIdentity(): TemplateResult {
    const me = this.#chat.me;
    if (this._editing) {
      return html`<form class="me" part="identity" @submit=${this.#saveName}>
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
    const used = characterCount(this._draft.trim());
    const over = used > this.#max;
    const lang = this.#lang;
    return html`<form class="composer" part="composer" @submit=${this.#submit}>
        <textarea
          part="input"
          rows="1"
          dir="auto"
          .value=${this._draft}
          placeholder=${this.#t('placeholder')}
          aria-label=${this.#t('input')}
          aria-describedby="counter"
          @input=${this.#onInput}
          @keydown=${this.#onComposerKey}
          @blur=${() => this.#chat.stopTyping()}
        ></textarea>
        <button
          part="send-button"
          class="send"
          aria-label=${this.#t('send')}
          ?disabled=${!used || over || this.#chat.status === 'refused'}
        >
          ${icon(SEND_ICON)}
        </button>
      </form>
      <p class="foot">
        <span class="error" part="error" role="alert">${this._problem}</span>
        <span id="counter" class="counter ${over ? 'over' : ''}" part="counter">
          <span aria-hidden="true"
            >${used.toLocaleString(lang)}/${this.#max.toLocaleString(lang)}</span
          >
          <span class="sr">${this.#t('chars', { n: Math.max(0, this.#max - used) })}</span>
        </span>
      </p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'page-chat': PageChat;
  }
}
