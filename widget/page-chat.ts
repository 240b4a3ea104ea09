/**
 * `<page-chat>`: the chat room of the page it sits on, as one custom element in Shadow DOM. It
 * owns the connection (`ChatController`), the launcher with the live count, the panel's frame and
 * the language; the panel's body (timeline, composer, names) is `Panel`, a chunk loaded when the
 * visitor is about to open the chat, so a page where nobody does pays only for the launcher. The
 * embed script places it as a floating launcher (`layout="floating"`); a page author may place it
 * inline (the default layout), where the panel is always shown and loads at once.
 */
import {
  adoptStyles,
  html,
  LitElement,
  nothing,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import { LIMITS, type Message } from '../backend/protocol.js';
import { ChatController, type ChatStatus, type ChatTarget } from './chat-controller.js';
import { emit } from './events.js';
import {
  formatNumber,
  loadLanguage,
  plural,
  translate,
  type Counted,
  type Language,
  type MessageKey,
  type Params,
} from './i18n.js';
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
import type * as panelModuleType from './panel.js';
import type { Panel, PanelHost } from './panel.js';
import { deriveRoomKey } from './room-key.js';
import { styles } from './page-chat.styles.js';

const icon = (path: string): TemplateResult =>
  html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d=${path} /></svg>`;
const CHAT_ICON = 'M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12Z';

type PanelModule = typeof panelModuleType;

/** The panel's chunk with its styles, imported once per page however many elements there are. */
let panelModule: Promise<PanelModule> | undefined;
const importPanel = (): Promise<PanelModule> => (panelModule ??= import('./panel.js'));

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
   * fields from shadowing Lit's accessors).
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
    _unread: { state: true },
    _announcement: { state: true },
    _lang: { state: true },
    _panel: { state: true },
    _panelFailed: { state: true },
  };

  /** The site's name on the chat server (the Socket.IO namespace). Required. */
  declare site: string;
  /** Origin of the chat server; the embed script's origin, or the page's, when empty. */
  declare server: string;
  /** An explicit room key; the page's mapping is used when empty. */
  declare room: string;
  /** `pathname` (default), `url` or `title`: how the room key is derived from the page. */
  declare mapping: string;
  /** `auto` (default, the system's), `light`, `dark`, or `host` (the page's `color-scheme`). */
  declare theme: Theme;
  /**
   * `bottom-right` or `bottom-left`; when unset, the end side of the widget's language (right for
   * left-to-right languages, left for Arabic or Hebrew).
   */
  declare position: Position | undefined;
  declare layout: Layout;
  /**
   * Language of the widget's words (`en`, `fr`, `ar`…), from the `lang` attribute; the page's or
   * the browser's language when empty. A property of its own, so the native `lang` is untouched.
   */
  declare locale: string;
  /** Transports to use, in order (`websocket,polling` by default). */
  declare transports: string;
  /** Whether the floating panel is open (attribute `open`). Inline panels are always shown. */
  declare opened: boolean;
  /** Longest message, in characters; match the server's `PAGECHAT_MAX_TEXT_LENGTH`. */
  declare maxLength: number;

  declare private _unread: number;
  declare private _announcement: string;
  declare private _lang: Language | undefined;
  declare private _panel: Panel | undefined;
  /** Whether the panel's chunk failed to load (the visitor is told when opening). */
  declare private _panelFailed: boolean;

  readonly #chat = new ChatController(this, () => this.#target(), {
    message: (message, own) => this.#onMessage(message, own),
    presence: (room, count) => {
      emit(this, 'page-chat:presence', { room, count });
      this.#prefetchPanel();
    },
    session: ({ id, name }) => emit(this, 'page-chat:session', { visitorId: id, name }),
  });

  readonly #stops: (() => void)[] = [];
  #stopScheme: (() => void) | undefined;
  #langRequest = 0;

  constructor() {
    super();
    this.site = '';
    this.server = '';
    this.room = '';
    this.mapping = 'pathname';
    this.theme = 'auto';
    this.layout = 'inline';
    this.locale = '';
    this.transports = '';
    this.opened = false;
    this.maxLength = LIMITS.textMax;
    this._unread = 0;
    this._announcement = '';
    this._panelFailed = false;
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

  /** The language the widget speaks (`en`, `fr`, `ar`…), once its words have loaded. */
  get language(): string | undefined {
    return this._lang?.code;
  }

  /** Opens the panel and moves focus into the composer (once the panel has loaded). */
  async open(): Promise<void> {
    this.#setOpen(true);
    await this.#loadPanel();
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
    this.#stops.push(watchNavigation(window, () => this.#syncRoom()));
    // The page's language may change under a single-page app: follow <html lang>.
    const observer = new MutationObserver(() => this.#loadLang());
    observer.observe(document.documentElement, { attributeFilter: ['lang'] });
    this.#stops.push(() => observer.disconnect());
    this.#syncRoom();
    this.#loadLang();
    this.#preparePanel();
    if (this.hasUpdated) this.#followHost(this.theme === 'host');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const stop of this.#stops.splice(0)) stop();
    this.#stopScheme?.();
    this.#stopScheme = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (
      this.hasUpdated &&
      (changed.has('server') || changed.has('site') || changed.has('transports'))
    ) {
      this.#chat.restart();
    }
    if (changed.has('room') || changed.has('mapping')) this.#syncRoom();
    if (changed.has('locale') && this.hasUpdated) this.#loadLang();
    if (changed.has('layout') && this.hasUpdated) this.#preparePanel();
    if (changed.has('theme')) this.#followHost(this.theme === 'host');
    // The floating chat sits on the end side of its language unless `position` says otherwise.
    const side =
      this.position === 'bottom-left' ||
      (this.position !== 'bottom-right' && this._lang?.words.dir === 'rtl')
        ? 'left'
        : 'right';
    if (this.getAttribute('side') !== side) this.setAttribute('side', side);
  }

  protected override updated(): void {
    this._panel?.updated();
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

  /** Loads the words of the language to speak; the latest request wins. */
  #loadLang(): void {
    const request = ++this.#langRequest;
    loadLanguage(this.locale, document.documentElement.lang, ...navigator.languages).then(
      (lang) => {
        if (request !== this.#langRequest) return;
        this._lang = lang;
        // The language's number and plural formatters load locale data (tens of ms on a slow
        // phone): made while the connection is still being set up, not when the count arrives.
        if (typeof requestIdleCallback === 'function') {
          requestIdleCallback(() => formatNumber(lang, 0));
        }
      },
      (error: unknown) => console.error('[pagechat] could not load the widget’s words', error),
    );
  }

  /**
   * `theme="host"`: follows the page's colour scheme through the `scheme` attribute. The watcher
   * is a chunk of its own, fetched only by pages that ask for it.
   */
  #followHost(follow: boolean): void {
    this.#stopScheme?.();
    this.#stopScheme = undefined;
    if (!follow) return this.removeAttribute('scheme');
    import('./host-theme.js').then(
      ({ watchHostScheme }) => {
        if (this.theme !== 'host' || this.#stopScheme || !this.isConnected) return;
        this.#stopScheme = watchHostScheme(this, (scheme) => this.setAttribute('scheme', scheme));
      },
      (error: unknown) => console.error('[pagechat] could not follow the page’s theme', error),
    );
  }

  /** Loads the panel at once when it is shown (inline, or opened by the page). */
  #preparePanel(): void {
    if (this.#showsPanel) void this.#loadPanel();
  }

  #prefetching = false;

  /**
   * Gets the panel ready before the visitor opens it: when the browser is next idle after the
   * count first showed (so it never competes with showing the count), unless the visitor asked to
   * save data; and in any case on hover or focus of the launcher.
   */
  #prefetchPanel(): void {
    if (this.#prefetching || this._panel) return;
    this.#prefetching = true;
    const connection = (navigator as { connection?: { saveData?: boolean } }).connection;
    if (connection?.saveData) return;
    if (typeof requestIdleCallback === 'function') {
      requestIdleCallback(() => void this.#loadPanel(), { timeout: 5_000 });
    } else {
      setTimeout(() => void this.#loadPanel(), 1_000);
    }
  }

  /** Imports the panel once; a failure is shown in the panel (the page was deployed over). */
  async #loadPanel(): Promise<void> {
    if (this._panel || this._panelFailed) return;
    try {
      const { Panel, panelStyles } = await importPanel();
      if (this._panel) return;
      await this.updateComplete;
      const root = this.renderRoot;
      if (root instanceof ShadowRoot) adoptStyles(root, [...PageChat.elementStyles, panelStyles]);
      this._panel = new Panel(this.#panelHost());
    } catch (error) {
      console.error('[pagechat] could not load the chat panel', error);
      panelModule = undefined;
      this._panelFailed = true;
    }
  }

  #panelHost(): PanelHost {
    return {
      chat: this.#chat,
      renderRoot: this.renderRoot,
      lang: () => {
        // The panel renders only once the words are there (see `#renderPanel`).
        if (!this._lang) throw new Error('pagechat: the panel asked for words before they loaded');
        return this._lang;
      },
      max: () => (this.maxLength > 0 ? this.maxLength : LIMITS.textMax),
      settled: () => this.updateComplete,
      requestUpdate: () => this.requestUpdate(),
    };
  }

  /** A sentence in the widget's language; empty for the moment before its words have loaded. */
  #t(key: MessageKey, params?: Params): string {
    return this._lang ? translate(this._lang, key, params) : '';
  }

  #plural(key: Counted, n: number): string {
    return this._lang ? plural(this._lang, key, n) : '';
  }

  #setOpen(open: boolean): void {
    if (this.opened === open) return;
    this.opened = open;
    this._unread = 0;
    if (open) this._panel?.opened();
    emit(this, open ? 'page-chat:open' : 'page-chat:close', null);
  }

  get #showsPanel(): boolean {
    return this.layout !== 'floating' || this.opened;
  }

  #onMessage(message: Message, own: boolean): void {
    emit(this, 'page-chat:message', { message, own });
    if (own) {
      this._panel?.ownMessage();
    } else if (this.#showsPanel) {
      this._announcement = this.#t('said', { name: message.visitor.name, text: message.text });
    } else {
      this._unread += 1;
    }
  }

  /** Escape cancels a rename, else closes the floating panel; otherwise the page gets it. */
  #onPanelKey(event: KeyboardEvent): void {
    if (event.key !== 'Escape') return;
    if (this._panel?.escape()) return event.stopPropagation();
    if (this.layout !== 'floating') return;
    event.stopPropagation();
    void this.close();
  }

  override render(): TemplateResult {
    const floating = this.layout === 'floating';
    const lang = this._lang;
    const code = lang?.code;
    const { count } = this.#chat;
    const people = count === undefined ? '' : this.#plural('people', count);
    const unread = this._unread ? this.#plural('unread', this._unread) : '';
    // The widget's own words set the direction of its layout: mirrored for Arabic and Hebrew.
    // Visitors' words are isolated and find their own direction.
    return html`<div class="root" lang=${code ?? nothing} dir=${lang?.words.dir ?? nothing}>
      ${
        floating
          ? html`<button
              part="launcher"
              class="launcher"
              aria-expanded=${this.opened}
              aria-controls="panel"
              aria-busy=${this.opened && !this._panel}
              aria-label=${[this.#t('open'), people, unread].filter(Boolean).join(', ')}
              @click=${() => (this.opened ? this.close() : this.open())}
              @pointerenter=${() => this.#loadPanel()}
              @focus=${() => this.#loadPanel()}
            >
              ${icon(CHAT_ICON)}<span part="count"
                >${lang && count !== undefined ? formatNumber(lang, count) : count}</span
              >
              ${
                this._unread
                  ? html`<span part="badge" class="badge"
                      >${lang ? formatNumber(lang, Math.min(this._unread, 99)) : this._unread}</span
                    >`
                  : nothing
              }
            </button>`
          : nothing
      }
      ${this.#renderPanel(floating)}
      <div class="sr" aria-live="polite">${this._announcement}</div>
    </div>`;
  }

  /**
   * The panel, once its chunk and the words are there. A visitor who opens the chat before that
   * (a slow network) sees the launcher busy until it can open.
   */
  #renderPanel(floating: boolean): TemplateResult | typeof nothing {
    const shown = this.#showsPanel;
    if (this._panelFailed && shown) {
      const key = navigator.onLine === false ? 'offline' : 'updated';
      return html`<p part="status" class="failed" role="alert">${this.#t(key)}</p>`;
    }
    if (!this._panel || !this._lang) return nothing;
    return this._panel.render({
      floating,
      shown,
      onKey: (event) => this.#onPanelKey(event),
      close: () => void this.close(),
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'page-chat': PageChat;
  }
}
