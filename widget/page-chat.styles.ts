/**
 * Styles of `<page-chat>`, in its shadow root. The host resets everything it could inherit from
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

/** Dark defaults, used by `theme="dark"` and by `theme="auto"` under a dark system preference. */
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
  :host([theme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
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
  :host([layout='floating'][position='bottom-left']) {
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
  .launcher,
  .send {
    display: flex;
    align-items: center;
    justify-content: center;
    background: var(--_a);
    color: var(--_o);
  }
  .launcher {
    position: relative;
    gap: 8px;
    height: 52px;
    padding: 0 18px 0 16px;
    border-radius: 26px;
    font-size: 15px;
    font-weight: 600;
    box-shadow: var(--_h);
  }
  .badge {
    position: absolute;
    top: -6px;
    right: -4px;
    min-width: 22px;
    padding: 0 6px;
    border-radius: 11px;
    background: #c81e1e;
    color: #fff;
    font-size: 12px;
    line-height: 22px;
    box-shadow: 0 0 0 2px var(--_b);
  }
  .panel {
    display: flex;
    flex-direction: column;
    height: var(--page-chat-height, 480px);
    overflow: hidden;
    background: var(--_b);
    border: 1px solid var(--_l);
    border-radius: var(--page-chat-radius, 16px);
  }
  :host([layout='floating']) .panel {
    position: absolute;
    right: 0;
    bottom: 64px;
    width: var(--page-chat-width, 370px);
    height: min(var(--page-chat-height, 560px), 100vh - 120px);
    box-shadow: var(--_h);
    transition: opacity 0.15s;
  }
  :host([position='bottom-left']) .panel {
    right: auto;
    left: 0;
  }
  @starting-style {
    :host([layout='floating']) .panel {
      opacity: 0;
    }
  }
  @media (max-width: 480px) {
    :host([layout='floating']) .panel {
      position: fixed;
      inset: 0;
      width: auto;
      height: auto;
      border: 0;
      border-radius: 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .panel {
      transition: none !important;
    }
  }
  .head {
    display: flex;
    align-items: center;
    padding: 14px 12px 12px 18px;
    border-bottom: 1px solid var(--_l);
  }
  h2 {
    margin: 0;
    font-size: 15px;
  }
  p {
    margin: 0;
  }
  .close {
    margin-left: auto;
    padding: 7px;
    border-radius: 10px;
    color: var(--_m);
  }
  .small,
  .meta,
  .foot,
  .notice,
  .typing,
  .me {
    font-size: 12px;
    color: var(--_m);
  }
  .live:before {
    content: '';
    display: inline-block;
    width: 8px;
    height: 8px;
    margin-right: 6px;
    border-radius: 50%;
    background: #22a355;
  }
  .status {
    padding: 8px 18px;
    background: var(--_w);
    color: var(--_W);
  }
  .log {
    flex: 1;
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 12px 14px 8px;
  }
  ol {
    display: flex;
    flex-direction: column;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .welcome,
  .text {
    padding: 8px 12px;
    border-radius: 14px;
    background: var(--_s);
  }
  .notice {
    align-self: center;
    margin-top: 10px;
  }
  .msg {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    max-width: 85%;
    margin-top: 10px;
  }
  .cont {
    margin-top: 3px;
  }
  .own {
    align-self: flex-end;
    align-items: flex-end;
  }
  .meta {
    display: flex;
    align-items: center;
    gap: 6px;
    margin: 0 6px 3px;
  }
  bdi {
    font-weight: 700;
    color: var(--_f);
  }
  .mark {
    min-width: 18px;
    border-radius: 50%;
    background: oklch(var(--_k) var(--h));
    color: var(--_b);
    line-height: 18px;
    text-align: center;
  }
  .text {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    unicode-bidi: plaintext;
  }
  .own .text {
    background: var(--_a);
    color: var(--_o);
  }
  .own.pending .text {
    background: none;
    color: var(--_f);
    box-shadow: inset 0 0 0 1.5px var(--_a);
  }
  .typing {
    min-height: 20px;
    padding: 0 18px;
    font-style: italic;
  }
  .me {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px;
    padding: 8px 16px 0;
    border-top: 1px solid var(--_l);
  }
  .link {
    color: var(--_a);
    text-decoration: underline;
  }
  input,
  textarea,
  .btn {
    height: 30px;
    padding: 0 8px;
    border: 1px solid var(--_l);
    border-radius: 8px;
    background: var(--_b);
  }
  input {
    flex: 1;
    color: var(--_f);
  }
  .composer {
    display: flex;
    align-items: flex-end;
    gap: 8px;
    padding: 8px 12px 4px 16px;
  }
  textarea {
    flex: 1;
    height: auto;
    min-height: 42px;
    max-height: 128px;
    padding: 10px 12px;
    border-radius: 12px;
    resize: none;
    field-sizing: content;
  }
  textarea::placeholder {
    color: var(--_m);
    opacity: 1;
  }
  .send {
    flex: none;
    width: 42px;
    height: 42px;
    border-radius: 12px;
  }
  .send:disabled {
    background: var(--_s);
    color: var(--_m);
    cursor: default;
  }
  .foot {
    display: flex;
    gap: 12px;
    min-height: 26px;
    padding: 2px 18px 8px;
  }
  .error,
  .over {
    color: var(--_d);
  }
  .counter {
    margin-left: auto;
  }
`;
