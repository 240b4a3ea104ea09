/**
 * The `pageload` baseline: the least a Lit + socket.io-client widget does to show a live count,
 * bundled by the widget's own chunk build. It connects to the site's namespace, joins the page's
 * room (PROTOCOL.md `join`), renders the count in a button in Shadow DOM, and keeps it current
 * from `presence`. No options, storage, languages, styles or panel: what is left is the cost of
 * the two libraries doing that job, which pagechat's figures are compared with.
 */
import { html, LitElement } from 'lit';
import { Fetch, Manager, WebSocket } from 'socket.io-client';

class MinimalCount extends LitElement {
  static override properties = { count: {} };
  declare count: number | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    const server = this.getAttribute('server') ?? location.origin;
    const socket = new Manager(server, { transports: [WebSocket, Fetch] }).socket('/bench');
    const shown = (count: number): void => {
      this.count = count;
      this.dispatchEvent(
        new CustomEvent('page-chat:presence', { detail: { count }, bubbles: true, composed: true }),
      );
    };
    socket.on('connect', () =>
      socket.emit('join', { room: location.pathname }, (res: { ok: boolean; count?: number }) => {
        if (res.ok && res.count !== undefined) shown(res.count);
      }),
    );
    socket.on('presence', ({ count }: { count: number }) => shown(count));
  }

  override render(): unknown {
    return html`<button><span part="count">${this.count}</span></button>`;
  }
}

customElements.define('page-chat', MinimalCount);
