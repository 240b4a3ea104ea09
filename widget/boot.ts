/**
 * The first chunk `widget.js` (loader.ts) imports: registers `<page-chat>` and mounts a floating
 * launcher for the script tag that loaded it, unless the page already has a `<page-chat>` placed
 * inline, which is then used as it is. Pasting the tag twice mounts one launcher: each tag calls
 * `boot`, and this module (one URL) runs once.
 */
import { defineElements, TAG_NAME } from './define.js';
import { embedAttributes, siteProblem } from './options.js';
import { PageChat } from './page-chat.js';

/**
 * Starts the chat for one pasted script tag: its `data-*` are the options, and its `src` names the
 * chat server.
 */
export function boot(script: HTMLScriptElement | null): void {
  const attributes = embedAttributes(script?.dataset ?? {}, script?.src, location.href);
  const problem = siteProblem(attributes['site']);

  // Inline elements without their own server or site take the (first) script tag's.
  if (!customElements.get(TAG_NAME)) {
    PageChat.embedDefaults = {
      server: attributes['server'],
      ...(problem === undefined ? { site: attributes['site'] } : {}),
    };
  }
  defineElements();

  /** Mounts the floating chat, unless an inline element (or an earlier paste) is already the chat. */
  const mount = (): void => {
    if (document.querySelector(TAG_NAME)) return;
    if (problem !== undefined) return console.error(`[pagechat] ${problem}`);
    const element = document.createElement(TAG_NAME);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    document.body.append(element);
  };

  // An async script may run before the page is parsed: an inline <page-chat> further down, or even
  // <body>, may not exist yet, so the chat is placed once the document is ready.
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', mount, { once: true });
  } else {
    mount();
  }
}
