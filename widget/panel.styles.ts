/**
 * Styles of the open chat (frame, header, timeline, typing, identity, composer), shipped in the panel's chunk
 * and added to `<page-chat>`'s shadow root when the panel loads. Same conventions and internal
 * custom properties as page-chat.styles.ts; sides are logical (`inline-start`/`-end`), so a
 * right-to-left language mirrors the layout.
 */
import { css } from 'lit';

export const panelStyles = css`
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
  :host([side='left']) .panel {
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
    padding-block: 14px 12px;
    padding-inline: 18px 12px;
    border-bottom: 1px solid var(--_l);
  }
  h2 {
    margin: 0;
    font-size: 15px;
  }
  .close {
    margin-inline-start: auto;
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
    margin-inline-end: 6px;
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
    padding-block: 8px 4px;
    padding-inline: 16px 12px;
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
    display: flex;
    align-items: center;
    justify-content: center;
    background: var(--_a);
    color: var(--_o);
    flex: none;
    width: 42px;
    height: 42px;
    border-radius: 12px;
  }
  [dir='rtl'] .send svg {
    transform: scaleX(-1);
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
    margin-inline-start: auto;
  }
`;
