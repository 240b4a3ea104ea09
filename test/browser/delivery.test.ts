/**
 * How the widget reaches pages, in real Chromium against a real backend: the loader, then the
 * first-load chunk, then the panel when the visitor is about to open it; caching as the headers
 * promise; opening on a slow network; a deploy while pages are open; the page's language and
 * direction, switched live; and `theme="host"` following the page's colour scheme.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page, Route } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { defineConfig } from '../../backend/config.js';
import { startServer, type RunningServer } from '../../backend/server.js';
import ar from '../../widget/lang/ar.js';
import de from '../../widget/lang/de.js';
import {
  artifactsDir,
  browserSuite,
  haveChromium,
  openChat,
  repoRoot,
  send,
  startHost,
  waitForCount,
  waitForMessage,
  waitForStatus,
} from './support.js';

interface Manifest {
  entry: string;
  panel: string;
  languages: Record<string, string>;
}

const distDir = join(repoRoot, 'dist');
const readManifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(join(dir, 'widget', 'manifest.json'), 'utf8')) as Manifest;

/** Builds the widget into `outDir` as release `release`, with the configuration `npm run build` uses. */
function buildWidget(outDir: string, release: string): void {
  const script = join(repoRoot, 'test', 'helpers', 'build-widget.mjs');
  const built = spawnSync(process.execPath, [script, outDir, release], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`the widget build failed: ${built.stderr}`);
}

/** Holds requests matching `pattern` until `release()`: a network that delivers them late. */
async function holdRequests(
  page: Page,
  pattern: RegExp,
): Promise<{ release(): void; held: Promise<void> }> {
  let release = (): void => undefined;
  const released = new Promise<void>((done) => (release = done));
  let seen = (): void => undefined;
  const held = new Promise<void>((done) => (seen = done));
  await page.route(pattern, async (route: Route) => {
    seen();
    await released;
    await route.continue();
  });
  return { release, held };
}

/** What the chat's shadow root holds at `selector`, as text. */
function shadowText(page: Page, selector: string): Promise<string> {
  return page.evaluate(
    (selector) =>
      document.querySelector('page-chat')?.shadowRoot?.querySelector(selector)?.textContent ?? '',
    selector,
  );
}

describe.skipIf(!haveChromium)('delivering the widget', () => {
  const page = (body: string, head = '', html = '<html lang="en">'): string =>
    `<!doctype html>${html}<head><meta charset="utf-8"><title>Fixture</title>${head}</head>` +
    `<body><h1>Fixture</h1><p>Some article text.</p>${body}</body></html>`;

  const suite = browserSuite({}, (host) => {
    host.page('/plain.html', page('<script src="/widget.js" data-site="demo" async></script>'));
    host.page(
      '/arabic.html',
      page(
        '<script src="/widget.js" data-site="demo" async></script>',
        '',
        '<html lang="ar" dir="rtl">',
      ),
    );
    const toggled =
      '<style>:root{color-scheme:light}:root.dark{color-scheme:dark;background:#111;color:#eee}</style>';
    host.page(
      '/host-theme.html',
      page(
        '<script src="/widget.js" data-site="demo" data-theme="host" data-open async></script>',
        toggled,
      ),
    );
    host.page(
      '/meta-dark.html',
      page(
        '<script src="/widget.js" data-site="demo" data-theme="host" data-open async></script>',
        '<meta name="color-scheme" content="dark">',
      ),
    );
    host.page(
      '/both.html',
      page(
        '<script src="/widget.js" data-site="demo" data-theme="host" data-open async></script>',
        '<style>:root{color-scheme:light dark}</style>',
      ),
    );
  });
  const { visit } = suite;

  it('loads the loader, then the boot chunk, then the panel before anyone opens it', async () => {
    const manifest = readManifest(distDir);
    const { page: p } = await suite.blank();
    const fetched: { path: string; cache: string }[] = [];
    p.on('response', (response) => {
      const url = new URL(response.url());
      if (url.origin !== suite.backend.server.url || !url.pathname.startsWith('/widget')) return;
      fetched.push({ path: url.pathname, cache: response.headers()['cache-control'] ?? '' });
    });
    await p.goto(`${suite.host.url}/plain.html?site=loading`);
    await waitForCount(p, 1);
    const paths = fetched.map((f) => f.path);
    expect(paths.slice(0, 2)).toEqual(['/widget.js', `/widget/${manifest.entry}`]);
    expect(paths).toContain(`/widget/${manifest.languages['en']}`);
    // Only the language spoken: no other language's chunk.
    expect(paths.filter((path) => path.includes('/lang-'))).toHaveLength(1);
    // The panel follows at idle time, before the visitor opens the chat.
    await expect.poll(() => fetched.map((f) => f.path)).toContain(`/widget/${manifest.panel}`);
    expect(await p.locator('page-chat [part="panel"]').isVisible()).toBe(false);
    for (const { path, cache } of fetched) {
      expect(cache, path).toBe(
        path === '/widget.js' ? 'public, max-age=300' : 'public, max-age=31536000, immutable',
      );
    }

    // A second page view downloads nothing: the loader is fresh for five minutes, chunks forever.
    await p.goto(`${suite.host.url}/plain.html?site=loading`);
    await waitForCount(p, 1);
    const transferred = await p.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/widget'))
        .map((e) => ({ name: e.name, bytes: (e as PerformanceResourceTiming).transferSize })),
    );
    expect(transferred.length).toBeGreaterThanOrEqual(2);
    for (const { name, bytes } of transferred) expect(bytes, name).toBe(0);
  });

  it('opens on the first click on a slow network, as soon as the panel arrives', async () => {
    const { context, page: p } = await suite.blank();
    // A slow mobile network for everything, and the panel's chunk held back until released.
    const cdp = await context.newCDPSession(p);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    });
    const panel = await holdRequests(p, /\/widget\/panel-[^/]+\.js$/);
    await p.goto(`${suite.host.url}/plain.html?site=slow`);
    await waitForCount(p, 1);
    await panel.held;
    const launcher = p.locator('page-chat [part="launcher"]');
    await launcher.click();
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    expect(await launcher.getAttribute('aria-busy')).toBe('true');
    expect(await p.locator('page-chat textarea').count()).toBe(0);
    panel.release();
    await p.locator('page-chat textarea').waitFor({ state: 'visible' });
    expect(await launcher.getAttribute('aria-busy')).toBe('false');
    await send(p, 'Sent on a slow network');
    await waitForMessage(p, 'Sent on a slow network');
  });

  describe('a deploy while pages are open', () => {
    const dirs: string[] = [];
    const servers: RunningServer[] = [];
    afterAll(async () => {
      for (const server of servers) await server.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it('keeps open pages working and gives new pages the new build', async () => {
      const temp = (prefix: string): string => {
        const dir = mkdtempSync(join(tmpdir(), prefix));
        dirs.push(dir);
        return dir;
      };
      // The new release, built in place over a copy of the current one (as `npm run build` on
      // the server does), and a release built from nothing (as a fresh container image is).
      const inPlace = temp('pagechat-deploy-');
      cpSync(distDir, inPlace, { recursive: true });
      buildWidget(inPlace, 'deploy-test');
      const fresh = temp('pagechat-fresh-');
      buildWidget(fresh, 'fresh-test');
      const before = readManifest(distDir);
      const after = readManifest(inPlace);
      expect(after.entry).not.toBe(before.entry);

      const dataDir = temp('pagechat-deploy-data-');
      const config = (port: number) => defineConfig({ port, dataDir, logLevel: 'silent' });
      const first = await startServer(config(0));
      const port = Number(new URL(first.url).port);
      const deployHost = await startHost(first.url);
      const hosts = [deployHost];
      try {
        deployHost.page(
          '/p.html',
          page('<script src="/widget.js" data-site="demo" async></script>'),
        );
        // An open page that has not fetched its panel yet when the deploy happens.
        const { page: open } = await suite.blank();
        const panel = await holdRequests(open, /\/widget\/panel-[^/]+\.js$/);
        await open.goto(`${deployHost.url}/p.html?site=deploy`);
        await waitForCount(open, 1);
        await panel.held;

        await first.close();
        const second = await startServer(config(port), { distDir: inPlace });
        servers.push(second);
        await waitForStatus(open, 'connected');
        // Its panel, from the build it started with, is still served after the deploy.
        const panelResponse = open.waitForResponse((r) => r.url().endsWith(before.panel));
        panel.release();
        expect((await panelResponse).status()).toBe(200);
        await openChat(open);
        await send(open, 'Written before the deploy');
        await waitForMessage(open, 'Written before the deploy');

        // A page loaded after the deploy runs the new build, in the same room.
        const { page: newPage } = await suite.blank();
        const booted = newPage.waitForResponse((r) => r.url().endsWith(after.entry));
        await newPage.goto(`${deployHost.url}/p.html?site=deploy`);
        expect((await booted).status()).toBe(200);
        await openChat(newPage);
        await waitForMessage(newPage, 'Written before the deploy');

        // A server with only the new build, and a page whose cached loader names the old boot
        // chunk: the loader finds the current one through latest.js.
        await second.close();
        servers.splice(servers.indexOf(second), 1);
        const third = await startServer(config(port), { distDir: fresh });
        servers.push(third);
        const { page: stalePage } = await suite.blank();
        const oldLoader = readFileSync(join(distDir, 'widget.js'), 'utf8');
        await stalePage.route(/\/widget\.js$/, (route) =>
          route.fulfill({ body: oldLoader, contentType: 'text/javascript' }),
        );
        const latest = stalePage.waitForResponse((r) => r.url().includes('/widget/latest.js'));
        await stalePage.goto(`${deployHost.url}/p.html?site=deploy`);
        expect((await latest).status()).toBe(200);
        await waitForStatus(stalePage, 'connected');
        await expect
          .poll(() => stalePage.locator('page-chat [part="count"]').textContent())
          .toMatch(/^\d+$/);
      } finally {
        for (const h of hosts) await h.close();
      }
    }, 120_000);
  });

  it('keeps the npm build working in an application’s own bundle', async () => {
    // What an application does with `import 'pagechat/widget'`: its bundler (esbuild here) takes
    // the ESM build with Lit and socket.io-client, and splits the panel and languages out.
    const out = mkdtempSync(join(tmpdir(), 'pagechat-npm-'));
    try {
      const entry = join(out, 'entry.js');
      writeFileSync(entry, `import ${JSON.stringify(join(distDir, 'widget.esm.js'))};\n`);
      await build({
        entryPoints: [entry],
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'browser',
        outdir: join(out, 'app'),
        logLevel: 'silent',
      });
      for (const name of readdirSync(join(out, 'app'))) {
        suite.host.file(`/app/${name}`, readFileSync(join(out, 'app', name)));
      }
      suite.host.page(
        '/npm.html',
        page(
          `<page-chat site="npm" lang="fr" server="${suite.backend.server.url}"></page-chat>` +
            '<script type="module" src="/app/entry.js"></script>',
        ),
      );
      const a = await visit('/npm.html', 'npm');
      await waitForCount(a.page, 1);
      await a.page.waitForFunction(() => document.querySelector('page-chat')?.language === 'fr');
      await send(a.page, 'From an application bundle');
      await waitForMessage(a.page, 'From an application bundle');
      expect(a.errors).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('speaks the page’s language, mirrored for Arabic, and switches when the page does', async () => {
    const a = await visit('/arabic.html', 'languages');
    const langs: string[] = [];
    a.page.on('request', (r) => {
      const match = /\/widget\/lang-([a-z-]+)-/.exec(r.url());
      if (match?.[1]) langs.push(match[1]);
    });
    await a.page.waitForFunction(() => document.querySelector('page-chat')?.language === 'ar');
    // Arabic writes its own digits.
    await a.page.waitForFunction(
      () =>
        document.querySelector('page-chat')?.shadowRoot?.querySelector('[part="count"]')
          ?.textContent === (1).toLocaleString('ar'),
    );
    // Right to left: the root is rtl and the launcher sits on the left.
    expect(await a.page.locator('page-chat').getAttribute('side')).toBe('left');
    const launcher = await a.page.locator('page-chat [part="launcher"]').boundingBox();
    expect(launcher && launcher.x < 300).toBe(true);
    await openChat(a.page);
    expect(await shadowText(a.page, '#title')).toBe(ar.title);
    const dir = await a.page.evaluate(() =>
      document.querySelector('page-chat')?.shadowRoot?.querySelector('.root')?.getAttribute('dir'),
    );
    expect(dir).toBe('rtl');
    await send(a.page, 'مرحبا');
    await waitForMessage(a.page, 'مرحبا');
    await a.page.screenshot({ path: join(artifactsDir, 'language-ar-rtl.png') });

    // The page switches language (a single-page app): the widget follows, left to right again.
    await a.page.evaluate(() => {
      document.documentElement.lang = 'de';
      document.documentElement.dir = 'ltr';
    });
    await a.page.waitForFunction(() => document.querySelector('page-chat')?.language === 'de');
    expect(await shadowText(a.page, '#title')).toBe(de.title);
    expect(await a.page.locator('page-chat').getAttribute('side')).toBe('right');
    // An explicit language on the element wins over the page's.
    await a.page.evaluate(() => document.querySelector('page-chat')?.setAttribute('lang', 'ja'));
    await a.page.waitForFunction(() => document.querySelector('page-chat')?.language === 'ja');
    await a.page.screenshot({ path: join(artifactsDir, 'language-ja.png') });
    // Each language was fetched when first spoken, and no other (Arabic may have come before the
    // listener did).
    expect(langs.filter((l) => l !== 'ar').sort()).toEqual(['de', 'ja']);
    expect(a.errors).toEqual([]);
  });

  it('follows the host page’s colour scheme with theme="host", live', async () => {
    const background = (p: Page) =>
      p.evaluate(() => {
        const panel = document.querySelector('page-chat')?.shadowRoot?.querySelector('.panel');
        return panel ? getComputedStyle(panel).backgroundColor : '';
      });
    const LIGHT = 'rgb(255, 255, 255)';
    const DARK = 'rgb(27, 30, 36)';
    const a = await visit('/host-theme.html', 'host-theme', { colorScheme: 'dark' });
    await a.page.locator('page-chat textarea').waitFor({ state: 'visible' });
    // The page says light, though the system prefers dark: the page wins.
    expect(await background(a.page)).toBe(LIGHT);
    await a.page.evaluate(() => document.documentElement.classList.add('dark'));
    await expect.poll(() => background(a.page)).toBe(DARK);
    await a.page.screenshot({ path: join(artifactsDir, 'theme-host-dark.png') });
    await a.page.evaluate(() => document.documentElement.classList.remove('dark'));
    await expect.poll(() => background(a.page)).toBe(LIGHT);

    // A page that declares dark only in its meta tag is dark.
    const b = await visit('/meta-dark.html', 'host-theme');
    await b.page.locator('page-chat textarea').waitFor({ state: 'visible' });
    expect(await background(b.page)).toBe(DARK);
    // A page that supports both follows the system, and switches with it.
    const c = await visit('/both.html', 'host-theme', { colorScheme: 'dark' });
    await c.page.locator('page-chat textarea').waitFor({ state: 'visible' });
    expect(await background(c.page)).toBe(DARK);
    await c.page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => background(c.page)).toBe(LIGHT);
    expect([...a.errors, ...b.errors, ...c.errors]).toEqual([]);
  });
});
