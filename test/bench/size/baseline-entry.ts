/**
 * Entry of the `size` baseline: Lit and socket.io-client alone, bundled by the widget's own Rollup
 * configuration. It imports what any Lit + Socket.IO widget needs (LitElement, html, css, io) and
 * keeps them alive so the bundler cannot drop them; pagechat's widget is measured against this.
 */
import { LitElement, css, html } from 'lit';
import { io } from 'socket.io-client';

Object.assign(globalThis, { __sizeBaseline: { LitElement, css, html, io } });
