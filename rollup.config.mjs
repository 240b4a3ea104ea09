// Rollup build of the widget. Three outputs, built in this order (Rollup runs the array in turn):
//
// 1. `dist/widget/`: the widget as content-hashed ES modules, served with a one-year immutable
//    cache. `boot-<hash>.js` is everything a page needs to show the launcher with its live count
//    (Lit, socket.io-client, the connection, the launcher); `panel-<hash>.js` the open chat,
//    fetched when the visitor is about to open it; `lang-<code>-<hash>.js` one per language,
//    fetched when spoken. `manifest.json` says which is which; `latest.js` re-exports the current
//    boot chunk for loaders older than the deploy.
// 2. `dist/widget.js`: the loader customers paste, a classic script that imports the boot chunk
//    (its hashed name written in from the manifest of step 1), briefly cached.
// 3. `dist/widget.esm.js` (+ `dist/esm/`): the npm build, with Lit and socket.io-client left to
//    the application's bundler.
//
// Third-party code is bundled as its authors publish it: no plugin here edits, stubs or renames
// anything inside a dependency, so a library upgrade needs no change to this file.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import dynamicImportVars from '@rollup/plugin-dynamic-import-vars';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const require = createRequire(import.meta.url);
const { version } = require('./package.json');

/**
 * Applies packages' `browser` field maps (`"./globals.node.js": "./globals.js"`) to files they
 * import: the package's own choice of its browser files. node-resolve skips them for packages
 * resolved through `exports`, which is how socket.io-client reaches engine.io-client and
 * engine.io-parser; without this the Node.js transports (and an XMLHttpRequest polyfill for Node)
 * end up in the browser bundle.
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
 * The widget's own Lit `html` and `css` templates are written indented for people, and terser
 * cannot see into them. After esbuild has turned a widget file into JavaScript, every text part of
 * an `html` or `css` tagged template is minified (the `${}` expressions are code, left to terser).
 * Only files under widget/: libraries are left exactly as published.
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

/** How many builds' chunks `dist/widget/` keeps, for pages that loaded an earlier one. */
const KEPT_BUILDS = 5;

/**
 * Writes `manifest.json` (the boot chunk, what a page loads before the launcher shows, the panel
 * chunk and each language's chunk) and `latest.js`, then prunes `dist/widget/`: the chunks of the
 * last `KEPT_BUILDS` builds stay, so a page still running an earlier build can fetch its panel and
 * languages after a deploy in place; older ones are deleted.
 */
function widgetManifest(dir) {
  return {
    name: 'pagechat-widget-manifest',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((file) => file.type === 'chunk');
      const entry = chunks.find((chunk) => chunk.isEntry);
      if (!entry) this.error('the widget build has no entry chunk');
      const byModule = (suffix) =>
        chunks.find((c) => c.facadeModuleId?.replaceAll('\\', '/').endsWith(suffix));
      // Everything the boot chunk imports statically is fetched before it can run.
      const firstLoad = new Set();
      const visit = (name) => {
        if (firstLoad.has(name)) return;
        firstLoad.add(name);
        for (const imported of bundle[name]?.imports ?? []) visit(imported);
      };
      visit(entry.fileName);
      const languages = {};
      for (const chunk of chunks) {
        const match = /\/widget\/lang\/([a-z0-9-]+)\.ts$/.exec(
          chunk.facadeModuleId?.replaceAll('\\', '/') ?? '',
        );
        if (match) languages[match[1]] = chunk.fileName;
      }
      const manifest = {
        version,
        entry: entry.fileName,
        firstLoad: [...firstLoad],
        panel: byModule('/widget/panel.ts')?.fileName,
        languages,
        files: chunks.map((chunk) => chunk.fileName).sort(),
      };
      this.emitFile({
        type: 'asset',
        fileName: 'manifest.json',
        source: `${JSON.stringify(manifest, null, 2)}\n`,
      });
      this.emitFile({
        type: 'asset',
        fileName: 'latest.js',
        source: `export * from './${entry.fileName}';\n`,
      });
    },
    writeBundle(_options, bundle) {
      const historyFile = join(dir, 'builds.json');
      const previous = existsSync(historyFile) ? JSON.parse(readFileSync(historyFile, 'utf8')) : [];
      const current = Object.values(bundle)
        .filter((file) => file.type === 'chunk')
        .flatMap((chunk) => [chunk.fileName, `${chunk.fileName}.map`]);
      const builds = [current, ...previous.filter((b) => b.join() !== current.join())].slice(
        0,
        KEPT_BUILDS,
      );
      writeFileSync(historyFile, `${JSON.stringify(builds)}\n`);
      const kept = new Set([...builds.flat(), 'manifest.json', 'latest.js', 'builds.json']);
      for (const name of readdirSync(dir)) {
        if (!kept.has(name)) rmSync(join(dir, name), { force: true });
      }
    },
  };
}

/**
 * Deletes what earlier builds left in `outDir/esm` (the npm build's chunks): the package ships
 * one build.
 */
function pruneStale(outDir) {
  return {
    name: 'pagechat-prune-stale',
    writeBundle(_options, bundle) {
      const dir = join(outDir, 'esm');
      if (!existsSync(dir)) return;
      for (const name of readdirSync(dir)) {
        if (!(`esm/${name}` in bundle)) rmSync(join(dir, name), { force: true });
      }
    },
  };
}

/**
 * Writes the boot chunk's name (from the manifest the chunk build just wrote) into the loader,
 * where it reads `PAGECHAT_ENTRY`.
 */
function loaderEntry(manifestFile) {
  return {
    name: 'pagechat-loader-entry',
    transform(code, id) {
      if (!id.replaceAll('\\', '/').endsWith('/widget/loader.ts')) return null;
      if (!existsSync(manifestFile))
        this.error(`${manifestFile} is missing: build the chunks first`);
      const { entry } = JSON.parse(readFileSync(manifestFile, 'utf8'));
      this.addWatchFile(manifestFile);
      return { code: code.replaceAll('PAGECHAT_ENTRY', JSON.stringify(`widget/${entry}`)) };
    },
  };
}

const esbuildOptions = { target: 'es2022', tsconfig: 'tsconfig.json', sourceMap: true };

/** `import(\`./lang/${code}.ts\`)` → one chunk per language file, and a switch to pick one. */
const languageChunks = () =>
  dynamicImportVars({
    include: ['widget/**/*.ts'],
    warnOnError: false,
    errorWhenNoFilesFound: true,
  });

/** Terser, keeping only the banner comment (`/*! pagechat <release> | MIT`). */
const minify = (extra = {}) =>
  terser({
    ecma: 2022,
    module: true,
    compress: { passes: 2 },
    format: { comments: (_node, comment) => comment.value.startsWith('! pagechat') },
    ...extra,
  });

/**
 * The three builds, writing under `outDir`. `release` goes into a banner on every file (the
 * package version by default), so two releases never share a hash.
 */
export function widgetBuilds({ outDir = 'dist', release = version } = {}) {
  const chunkDir = join(outDir, 'widget');
  const banner = `/*! pagechat ${release} | MIT */`;
  return [
    {
      input: { boot: 'widget/boot.ts' },
      // The panel and language chunks import what they share with the boot chunk from it,
      // rather than through a facade chunk of its own: one request fewer at load.
      preserveEntrySignatures: 'allow-extension',
      output: {
        dir: chunkDir,
        format: 'es',
        banner,
        entryFileNames: '[name]-[hash].js',
        chunkFileNames: (chunk) =>
          chunk.facadeModuleId?.replaceAll('\\', '/').includes('/widget/lang/')
            ? 'lang-[name]-[hash].js'
            : '[name]-[hash].js',
        // Maps are written for debugging, but no file points at them: every page would otherwise
        // carry a comment naming a file it never needs.
        sourcemap: 'hidden',
      },
      plugins: [
        browserField(),
        nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
        esbuild(esbuildOptions),
        languageChunks(),
        minifyTemplates(),
        minify(),
        widgetManifest(chunkDir),
      ],
    },
    {
      input: 'widget/loader.ts',
      output: {
        file: join(outDir, 'widget.js'),
        format: 'iife',
        banner,
        sourcemap: 'hidden',
        // `'use strict'` goes inside the function, never onto the page's other scripts.
        strict: true,
      },
      plugins: [
        esbuild(esbuildOptions),
        loaderEntry(join(chunkDir, 'manifest.json')),
        minify({ module: false }),
      ],
    },
    {
      input: 'widget/index.ts',
      output: {
        dir: outDir,
        format: 'es',
        banner,
        entryFileNames: 'widget.esm.js',
        chunkFileNames: 'esm/[name]-[hash].js',
        sourcemap: true,
      },
      external: (id) => /^(lit|@lit\/|lit-html|lit-element|socket\.io-client)(\/|$)/.test(id),
      plugins: [
        nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
        esbuild(esbuildOptions),
        languageChunks(),
        minifyTemplates(),
        minify(),
        pruneStale(outDir),
      ],
    },
  ];
}

export default widgetBuilds();
