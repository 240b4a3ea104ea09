/**
 * Entry point of `widget.js`, the script a site owner pastes:
 *
 *   <script src="https://chat.example.com/widget.js" data-site="acme" async></script>
 *
 * It learns its server from its own `src` and its options from its `data-*` attributes, registers
 * `<page-chat>`, and mounts a floating launcher, unless the page already has a `<page-chat>` placed
 * inline, which is then used as it is. Pasting the tag twice mounts one launcher.
 */
import { defineElements, TAG_NAME } from './define.js';
import { embedAttributes, siteProblem } from './options.js';
import { PageChat } from './page-chat.js';

/**
 * The script tag that is running now. `document.currentScript` is only set while this script's
 * top level runs (async scripts too) and is null in every callback after, so it is read here, at
 * once. The fallback covers loaders that inject a copy of the tag in a way that loses it.
 */
const script =
  document.currentScript instanceof HTMLScriptElement
    ? document.currentScript
    : document.querySelector<HTMLScriptElement>('script[data-site][src*="widget"]');

const attributes = embedAttributes(script?.dataset ?? {}, script?.src, location.href);
const problem = siteProblem(attributes['site']);

// Inline elements without their own server or site take the script tag's.
PageChat.embedDefaults = {
  server: attributes['server'],
  ...(problem === undefined ? { site: attributes['site'] } : {}),
};
defineElements();

/** Mounts the floating chat, unless an inline element (or an earlier paste) is already the chat. */
function mount(): void {
  if (document.querySelector(TAG_NAME)) return;
  if (problem !== undefined) return console.error(`[pagechat] ${problem}`);
  const element = document.createElement(TAG_NAME);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  document.body.append(element);
}

// An async script may run before the page is parsed: an inline <page-chat> further down, or even
// <body>, may not exist yet, so the chat is placed once the document is ready.
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', mount, { once: true });
} else {
  mount();
}
