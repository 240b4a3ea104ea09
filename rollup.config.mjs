// Rollup build of the widget: `dist/widget.js`, the one self-contained script customers paste
// (an IIFE with Lit and socket.io-client inside, minified), and `dist/widget.esm.js` for npm users
// who place `<page-chat>` themselves (Lit and socket.io-client left to their bundler).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const require = createRequire(import.meta.url);
const engineTransports = join(
  dirname(require.resolve('engine.io-client/package.json')),
  'build/esm/transports',
);

/**
 * engine.io-client's default transport table also pulls in WebTransport (an HTTP/3 transport our
 * backend does not offer) and the XMLHttpRequest poller. The widget only ever uses WebSocket and
 * HTTP long-polling, and `fetch()` polling (engine.io-client's own `Fetch` transport) is smaller
 * than the XHR one, so the bundle gets a table of exactly those two. Both are engine.io-client's
 * own classes, unchanged; only the lookup table is replaced. Saves about 0.8 KB gzipped.
 */
function slimTransports() {
  const id = '\0pagechat:engine-transports';
  return {
    name: 'pagechat-slim-transports',
    resolveId(source, importer) {
      if (
        source === './transports/index.js' &&
        importer?.replaceAll('\\', '/').includes('/engine.io-client/build/esm/')
      ) {
        return id;
      }
      return null;
    },
    load(source) {
      if (source !== id) return null;
      const fetchPath = JSON.stringify(join(engineTransports, 'polling-fetch.js'));
      const wsPath = JSON.stringify(join(engineTransports, 'websocket.js'));
      return [
        `import { Fetch } from ${fetchPath};`,
        `import { WS } from ${wsPath};`,
        'export const transports = { websocket: WS, polling: Fetch };',
      ].join('\n');
    },
  };
}

const socketIoBuild = join(dirname(require.resolve('socket.io-client/package.json')), 'build/esm');

/**
 * The widget imports only `Manager` from socket.io-client. The package index also holds `io()`
 * (URL parsing, a manager cache) and decorates it at import time, which keeps it in the bundle
 * even unused; importing the Manager module directly leaves it out.
 */
function managerOnly() {
  const id = '\0pagechat:socket.io-manager';
  return {
    name: 'pagechat-manager-only',
    resolveId(source, importer) {
      const fromWidget = importer?.replaceAll('\\', '/').includes('/widget/');
      return source === 'socket.io-client' && fromWidget ? id : null;
    },
    load(source) {
      if (source !== id) return null;
      return `export { Manager } from ${JSON.stringify(join(socketIoBuild, 'manager.js'))};`;
    },
  };
}

/**
 * Class methods the widget never reaches, removed from the bundle (terser cannot drop methods).
 * Each is checked: the build fails if a listed method is missing, so a socket.io-client upgrade
 * that renames or starts using one is noticed rather than silently shipped.
 * - engine.io-client `_probe`: the transport upgrade (polling → WebSocket). The widget turns
 *   upgrades off (`upgrade: false`) and instead tries its transports in order.
 * - socket.io-client `Socket` catch-all listeners, `emitWithAck`, `compress`, `volatile`: public
 *   API the widget does not call, and nothing inside the library calls them either.
 */
const UNUSED_METHODS = {
  'engine.io-client/build/esm/socket.js': ['_probe'],
  'socket.io-client/build/esm/socket.js': [
    'onAny',
    'prependAny',
    'offAny',
    'listenersAny',
    'onAnyOutgoing',
    'prependAnyOutgoing',
    'offAnyOutgoing',
    'listenersAnyOutgoing',
    'emitWithAck',
    'compress',
    'volatile',
  ],
};

function dropUnusedMethods() {
  return {
    name: 'pagechat-drop-unused-methods',
    transform(code, id) {
      const file = Object.keys(UNUSED_METHODS).find((f) => id.replaceAll('\\', '/').endsWith(f));
      if (!file) return null;
      const wanted = new Set(UNUSED_METHODS[file]);
      const found = [];
      const visit = (node) => {
        if (!node || typeof node.type !== 'string') return;
        if (node.type === 'MethodDefinition' && wanted.has(node.key.name)) found.push(node);
        for (const value of Object.values(node)) {
          if (Array.isArray(value)) value.forEach(visit);
          else if (value && typeof value === 'object') visit(value);
        }
      };
      visit(this.parse(code));
      const missing = [...wanted].filter((name) => !found.some((n) => n.key.name === name));
      if (missing.length > 0) this.error(`${file} no longer has ${missing.join(', ')}`);
      let out = code;
      for (const node of found.sort((a, b) => b.start - a.start)) {
        out = out.slice(0, node.start) + out.slice(node.end);
      }
      return { code: out, map: null };
    },
  };
}

// engine.io-parser as engine.io-client finds it (its package.json is not exported).
const engineParserBuild = join(
  dirname(
    createRequire(require.resolve('engine.io-client/package.json')).resolve('engine.io-parser'),
  ),
  '../esm',
);

/**
 * PROTOCOL.md is text only: no event or acknowledgement carries binary data, either way. So the
 * parsers' binary support is replaced by text-only versions: socket.io-parser's attachment
 * handling (walking every outgoing payload for buffers, reassembling attachments) and
 * engine.io-parser's Blob/ArrayBuffer/base64 encoding and decoding. Text packets are encoded and
 * decoded exactly as the originals do; a binary packet from a server (which ours never sends) is
 * refused like a malformed one, and the connection closes. Saves about 0.7 KB gzipped.
 */
function textOnlyParsers() {
  const refuse = "throw new Error('binary packets are not part of the pagechat protocol');";
  const commons = JSON.stringify(join(engineParserBuild, 'commons.js'));
  const stubs = {
    '/socket.io-parser/build/esm/': {
      './binary.js': `export function deconstructPacket() { ${refuse} }
export const reconstructPacket = deconstructPacket;`,
      './is-binary.js': `export const hasBinary = () => false;
export const isBinary = () => false;`,
    },
    '/engine.io-parser/build/esm/': {
      './encodePacket.js': `import { PACKET_TYPES } from ${commons};
export const encodePacket = ({ type, data }, _supportsBinary, callback) =>
  callback(PACKET_TYPES[type] + (data || ''));
export function encodePacketToBinary() { ${refuse} }`,
      './decodePacket.js': `import { ERROR_PACKET, PACKET_TYPES_REVERSE } from ${commons};
export const decodePacket = (encoded) => {
  if (typeof encoded !== 'string') return ERROR_PACKET;
  const type = PACKET_TYPES_REVERSE[encoded.charAt(0)];
  if (!type) return ERROR_PACKET;
  return encoded.length > 1 ? { type, data: encoded.substring(1) } : { type };
};`,
    },
  };
  return {
    name: 'pagechat-text-only-parsers',
    resolveId(source, importer) {
      const from = importer?.replaceAll('\\', '/') ?? '';
      const dir = Object.keys(stubs).find((d) => from.includes(d));
      return dir && source in stubs[dir] ? `\0pagechat-stub:${dir}${source}` : null;
    },
    load(id) {
      if (!id.startsWith('\0pagechat-stub:')) return null;
      const dir = Object.keys(stubs).find((d) => id.includes(d));
      return stubs[dir][id.slice(id.indexOf(dir) + dir.length)];
    },
  };
}

/**
 * Applies packages' `browser` field maps (`"./globals.node.js": "./globals.js"`) to files they
 * import. node-resolve skips them for packages resolved through `exports`, which is how
 * socket.io-client reaches engine.io-client and engine.io-parser; without this the Node.js
 * transports (and an XMLHttpRequest polyfill for Node) end up in the browser bundle.
 */
function browserField() {
  const packages = new Map();
  /** `browser` maps between the file and its package root, nearest first. */
  function mapsFor(file) {
    const maps = [];
    for (let dir = dirname(file); ; dir = dirname(dir)) {
      if (!packages.has(dir)) {
        const path = join(dir, 'package.json');
        const pkg = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
        packages.set(dir, pkg ? { name: pkg.name, browser: pkg.browser } : undefined);
      }
      const pkg = packages.get(dir);
      if (pkg && typeof pkg.browser === 'object') maps.push({ dir, map: pkg.browser });
      if (pkg?.name || dirname(dir) === dir) return maps;
    }
  }
  return {
    name: 'pagechat-browser-field',
    async resolveId(source, importer, options) {
      if (!importer?.includes('node_modules')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      if (!resolved || resolved.external) return null;
      for (const { dir, map } of mapsFor(resolved.id)) {
        const target = map[`./${relative(dir, resolved.id).replaceAll('\\', '/')}`];
        // Only the id: side-effect flags are left to the `treeshake` options below.
        if (typeof target === 'string') return resolve(dir, target);
      }
      return null;
    },
  };
}

/**
 * CSS text with comments and line breaks removed, and the spaces around `{};,>`, after `:` and
 * before `!important`.
 * A space before `:` is kept (`a :hover` differs from `a:hover`).
 */
function minifyCssText(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>])\s*/g, '$1')
    .replace(/:\s+/g, ':')
    .replace(/\s+!important/g, '!important')
    .replace(/;}/g, '}');
}

/**
 * HTML template text with line breaks and their indentation removed: a run of whitespace that
 * holds a line break becomes one space, or nothing between two tags, and spaces before a tag's
 * closing `>` go (`/>` is left alone: after an unquoted binding the `/` would join the value).
 * Spaces on one line (inside attribute values, between words) are kept exactly; pre-formatted
 * text in the widget only ever comes from bindings, never from template text.
 */
function minifyHtmlText(text) {
  return text
    .replace(/>\s*\n\s*</g, '><')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\s+>/g, '>');
}

/**
 * Lit's `html` and `css` templates are written indented for people, and terser cannot see into
 * them. After esbuild has turned the widget into JavaScript, every text part of an `html` or
 * `css` tagged template is minified (the `${}` expressions are code, left to terser). Only the
 * widget's own files: libraries ship minified already.
 */
function minifyTemplates() {
  const minifiers = { html: minifyHtmlText, css: minifyCssText };
  return {
    name: 'pagechat-minify-templates',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').includes('/widget/')) return null;
      const edits = [];
      const visit = (node) => {
        if (!node || typeof node.type !== 'string') return;
        if (node.type === 'TaggedTemplateExpression' && node.tag.type === 'Identifier') {
          const minify = Object.hasOwn(minifiers, node.tag.name) ? minifiers[node.tag.name] : null;
          for (const quasi of minify ? node.quasi.quasis : []) {
            edits.push({ start: quasi.start, end: quasi.end, text: minify(quasi.value.raw) });
          }
        }
        for (const value of Object.values(node)) {
          if (Array.isArray(value)) value.forEach(visit);
          else if (value && typeof value === 'object') visit(value);
        }
      };
      visit(this.parse(code));
      if (edits.length === 0) return null;
      let out = code;
      for (const edit of edits.sort((a, b) => b.start - a.start)) {
        out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
      }
      // Only whitespace inside template strings changed, so lines map as before.
      return { code: out, map: null };
    },
  };
}

const esbuildOptions = { target: 'es2022', tsconfig: 'tsconfig.json', sourceMap: true };

export default [
  {
    input: 'widget/embed.ts',
    output: {
      file: 'dist/widget.js',
      format: 'iife',
      // The map is written for debugging, but the script does not point at it: the backend serves
      // `widget.js` alone, and every page would otherwise carry a comment naming a missing file.
      sourcemap: 'hidden',
      // `'use strict'` goes inside the function, never onto the page's other scripts.
      strict: true,
    },
    treeshake: {
      // engine.io-client's index re-exports every transport, and the XHR one runs feature
      // detection and adds an unload listener at import time. The widget never uses it (see
      // slimTransports), so its import-time work is dropped along with the class.
      moduleSideEffects: (id) =>
        !/engine\.io-client\/build\/esm\/transports\//.test(id.replaceAll('\\', '/')),
    },
    plugins: [
      managerOnly(),
      slimTransports(),
      textOnlyParsers(),
      dropUnusedMethods(),
      browserField(),
      nodeResolve({ browser: true }),
      esbuild(esbuildOptions),
      minifyTemplates(),
      terser({
        ecma: 2022,
        module: true,
        compress: { passes: 3 },
        // Underscore-prefixed properties are private by convention in socket.io-client and in the
        // widget's own Lit state, and never cross the wire or the page: shorten them. Lit's own
        // `_$` names are shared between Lit copies on one page, and socket.io-parser's
        // `_placeholder` is part of the wire format, so both are left alone.
        mangle: { properties: { regex: /^_(?!\$|placeholder$)/ } },
        format: { comments: false },
      }),
    ],
  },
  {
    input: 'widget/index.ts',
    output: { file: 'dist/widget.esm.js', format: 'es', sourcemap: true },
    external: (id) => /^(lit|@lit\/|lit-html|lit-element|socket\.io-client)(\/|$)/.test(id),
    plugins: [
      nodeResolve({ browser: true }),
      esbuild(esbuildOptions),
      minifyTemplates(),
      terser({ ecma: 2022, module: true, compress: { passes: 2 } }),
    ],
  },
];
