/**
 * Styles of `<page-chat>`'s launcher and panel frame, in its shadow root (the panel's body brings
 * its own, panel.styles.ts, in its chunk). The host resets everything it could inherit from
 * the page (`all: initial`) and marks its own few declarations `!important`: a page's
 * `!important` rules reach the host element, and inside-the-shadow `!important` is the only thing
 * that outranks them. Everything inside is sized in px (never rem), so a page's root font size
 * cannot scale it. Colours come from the public `--page-chat-*` custom properties (docs/widget.md),
 * which inherit through the reset, with light and dark defaults.
 *
 * Internal short names, kept short because every byte ships to every page:
 * --_a accent, --_o text on accent, --_b background, --_f text, --_m muted text, --_s surface
 * (others' bubbles), --_l lines, --_d danger, --_w/--_W warning background/text, --_h shadow,
 * --_k lightness and chroma of visitors' marks (OKLCH, so every hue has the same contrast with
 * the background colour drawn on it: at least 5:1 light, 7.9:1 dark); `--h` is a mark's hue.
 * `.small` is small muted text; `.btn` a small bordered button.
 */
import { css } from 'lit';

/**
 * Dark defaults, used by `theme="dark"`, by `theme="auto"` under a dark system preference, and by
 * `theme="host"` on a dark page (the element sets `scheme="dark"`, see host-theme.ts).
 */
const dark = css`
  --_a: var(--page-chat-accent, #a5b4fc);
  --_o: var(--page-chat-accent-text, #111827);
  --_b: var(--page-chat-background, #1b1e24);
  --_f: var(--page-chat-text, #e8eaed);
  --_m: var(--page-chat-muted, #a7b0bc);
  --_s: var(--page-chat-surface, #2a2f38);
  --_l: var(--page-chat-border, #3b414d);
  --_d: var(--page-chat-danger, #ffa198);
  --_w: #3b3220;
  --_W: #ffdf99;
  --_k: 78% 0.12;
  color-scheme: dark;
`;

export const styles = css`
  :host {
    all: initial !important;
    display: block !important;
    --_a: var(--page-chat-accent, #4f46e5);
    --_o: var(--page-chat-accent-text, #fff);
    --_b: var(--page-chat-background, #fff);
    --_f: var(--page-chat-text, #1b1f24);
    --_m: var(--page-chat-muted, #57606a);
    --_s: var(--page-chat-surface, #f0f2f5);
    --_l: var(--page-chat-border, #d6dbe1);
    --_d: var(--page-chat-danger, #b42318);
    --_w: #fff4d6;
    --_W: #5c4300;
    --_h: 0 8px 32px #0f172a38;
    --_k: 50% 0.14;
    color-scheme: light;
  }
  :host([theme='dark']),
  :host([theme='host'][scheme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light']):not([theme='host'])) {
      ${dark}
    }
  }
  :host([hidden]),
  [hidden] {
    display: none !important;
  }
  :host([layout='floating']) {
    position: fixed !important;
    z-index: var(--page-chat-z-index, 2147483000) !important;
    inset: auto var(--page-chat-offset, 20px) var(--page-chat-offset, 20px) auto !important;
  }
  :host([layout='floating'][side='left']) {
    inset: auto auto var(--page-chat-offset, 20px) var(--page-chat-offset, 20px) !important;
  }
  * {
    box-sizing: border-box;
  }
  .root {
    font: 14px/1.45 var(--page-chat-font, system-ui, sans-serif);
    color: var(--_f);
  }
  button,
  input,
  textarea {
    margin: 0;
    padding: 0;
    border: 0;
    background: none;
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
  }
  :focus-visible {
    outline: 2px solid var(--_a);
    outline-offset: 2px;
  }
  svg {
    width: 20px;
    height: 20px;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .launcher {
    display: flex;
    align-items: center;
    justify-content: center;
    background: var(--_a);
    color: var(--_o);
    position: relative;
    gap: 8px;
    height: 52px;
    padding-inline: 16px 18px;
    border-radius: 26px;
    font-size: 15px;
    font-weight: 600;
    box-shadow: var(--_h);
  }
  .badge {
    position: absolute;
    top: -6px;
    inset-inline-end: -4px;
    min-width: 22px;
    padding: 0 6px;
    border-radius: 11px;
    background: #c81e1e;
    color: #fff;
    font-size: 12px;
    line-height: 22px;
    box-shadow: 0 0 0 2px var(--_b);
  }
  .launcher[aria-busy='true'] {
    cursor: progress;
    opacity: 0.8;
  }
  .failed {
    position: absolute;
    right: 0;
    bottom: 64px;
    width: max-content;
    max-width: min(320px, 100vw - 40px);
    padding: 10px 14px;
    border-radius: 12px;
    background: var(--_w);
    color: var(--_W);
    box-shadow: var(--_h);
  }
  :host([side='left']) .failed {
    right: auto;
    left: 0;
  }
  p {
    margin: 0;
  }
`;
