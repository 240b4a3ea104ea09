/**
 * Shared machinery of the browser suites: Debian's Chromium through playwright-core, a real
 * backend on port 0, and a second HTTP server on another port (another origin) that serves the
 * demo pages the way a customer's site would, with the embed snippet pointed at the backend.
 *
 * Chromium missing: the suites skip with a loud warning locally, and fail when `CI` is set.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { defineConfig, type Config } from '../../backend/config.js';
import { startServer, type RunningServer, type ServerDeps } from '../../backend/server.js';
import { chromePath, launchChromium } from '../helpers/chromium.js';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const artifactsDir = join(repoRoot, 'test', 'artifacts');
const demoDir = join(repoRoot, 'demo');

export { chromePath };
export const haveChromium = existsSync(chromePath);

if (!haveChromium) {
  const reason =
    `Chromium not found at ${chromePath}: the browser suites cannot run. ` +
    'Install Debian\'s "chromium" package or set CHROME_PATH.';
  if (process.env['CI']) throw new Error(reason);
  console.warn(`\n*** SKIPPING BROWSER TESTS: ${reason} ***\n`);
}

/** Chromium with the flags this machine needs (test/helpers/chromium.ts). */
export const launchBrowser = launchChromium;

/** A backend for one test file, on port 0 with a throw-away data folder. */
export async function startBackend(
  overrides: Partial<Config> = {},
  deps: ServerDeps = {},
): Promise<{
  server: RunningServer;
  close(): Promise<void>;
}> {
  if (!existsSync(join(repoRoot, 'dist', 'widget.js'))) {
    throw new Error('dist/widget.js is missing: run `npm run build:widget` first');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'pagechat-browser-'));
  const server = await startServer(
    defineConfig({ port: 0, dataDir, logLevel: 'silent', ...overrides }),
    deps,
  );
  return {
    server,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

export interface HostServer {
  /** `http://127.0.0.1:PORT`, an origin other than the backend's. */
  url: string;
  /** Serves `html` at `path` (embed snippets in it are rewritten like the demo's). */
  page(path: string, html: string): void;
  /** Serves `body` at `path` as it is, with its type from the path's extension. */
  file(path: string, body: string | Buffer): void;
  close(): Promise<void>;
}

/**
 * The customer's site: the demo folder (with the other paths under `/spa/` answered by the SPA's
 * page, as the backend does) plus pages registered by a test. In every page, the demo snippet
 * `<script src="/widget.js" data-site="demo" async>` is pointed at the backend, its site replaced
 * by the `site` query parameter and a `transports` query parameter added as `data-transports`, so
 * each test gets its own site (its own rooms) from the same pages.
 */
export async function startHost(backendUrl: string): Promise<HostServer> {
  const pages = new Map<string, string>();
  const files = new Map<string, string | Buffer>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const served = files.get(url.pathname);
    if (served !== undefined) {
      const type = TYPES[extname(url.pathname)] ?? 'application/octet-stream';
      res.writeHead(200, { 'Content-Type': type }).end(served);
      return;
    }
    let html = pages.get(url.pathname);
    let file: string | undefined;
    if (html === undefined) {
      // The SPA's own script is served as it is.
      const path =
        url.pathname.startsWith('/spa/') && extname(url.pathname) !== '.js'
          ? '/spa/index.html'
          : url.pathname.endsWith('/')
            ? `${url.pathname}index.html`
            : url.pathname;
      file = normalize(join(demoDir, path));
      if (!file.startsWith(demoDir) || !existsSync(file)) {
        res.writeHead(404).end('not found');
        return;
      }
    }
    const type = file ? (TYPES[extname(file)] ?? 'application/octet-stream') : TYPES['.html'];
    if (file === undefined || type === TYPES['.html']) {
      html ??= readFileSync(file ?? '', 'utf8');
      const site = url.searchParams.get('site') ?? 'demo';
      const transports = url.searchParams.get('transports');
      html = html.replace(
        /<script src="\/widget\.js" data-site="demo"/g,
        `<script src="${backendUrl}/widget.js" data-site="${site}"` +
          (transports ? ` data-transports="${transports}"` : ''),
      );
      res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(html);
      return;
    }
    res.writeHead(200, { 'Content-Type': type }).end(readFileSync(file ?? ''));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    page: (path, html) => void pages.set(path, html),
    file: (path, body) => void files.set(path, body),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Console errors and uncaught page errors, collected for assertions. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    // Chromium's own notes on failed loads: the host server has no favicon (404), and requests
    // in flight fail while a test has the context offline. Neither is the widget's doing.
    const text = message.text();
    if (message.type() !== 'error' || /404|ERR_INTERNET_DISCONNECTED/.test(text)) return;
    errors.push(text);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

const WAIT = { timeout: 15_000 };

/** The launcher's number (floating) or the header's count (inline) shows `n`. */
export async function waitForCount(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const root = document.querySelector('page-chat')?.shadowRoot;
      const count = root?.querySelector('[part="count"]');
      if (count) return count.textContent?.trim() === String(n);
      const presence = root?.querySelector('[part~="presence"]')?.textContent?.trim();
      return presence?.startsWith(`${n} `) === true;
    },
    n,
    WAIT,
  );
}

/** The message texts the chat shows, in order (pending ones included). */
export function messageTexts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [
      ...(document.querySelector('page-chat')?.shadowRoot?.querySelectorAll('[part~="text"]') ??
        []),
    ].map((e) => e.textContent ?? ''),
  );
}

/** Waits until the chat shows a message with exactly `text`. */
export async function waitForMessage(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (text) =>
      [
        ...(document.querySelector('page-chat')?.shadowRoot?.querySelectorAll('[part~="text"]') ??
          []),
      ].some((e) => e.textContent === text),
    text,
    WAIT,
  );
}

/** Waits until the widget reports `status`. */
export async function waitForStatus(page: Page, status: string): Promise<void> {
  await page.waitForFunction(
    (s) => document.querySelector('page-chat')?.status === s,
    status,
    WAIT,
  );
}

/** Opens the floating panel with the launcher, as a visitor would. */
export async function openChat(page: Page): Promise<void> {
  await page.locator('page-chat [part="launcher"]').click();
  await page.locator('page-chat textarea').waitFor({ state: 'visible' });
}

/** Types `text` into the composer and presses Enter. */
export async function send(page: Page, text: string): Promise<void> {
  await page.locator('page-chat textarea').fill(text);
  await page.locator('page-chat textarea').press('Enter');
}

export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  /** URLs of the WebSockets the page opened. */
  websockets: string[];
}

/** A page in a fresh context (its own storage: a new visitor), loaded at `url`. */
export async function visitor(
  browser: Browser,
  url: string,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<Visitor> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, ...options });
  const page = await context.newPage();
  const errors = collectErrors(page);
  const websockets: string[] = [];
  page.on('websocket', (ws) => websockets.push(ws.url()));
  await page.goto(url);
  return { context, page, errors, websockets };
}

/** One browser test file's world: a backend, the customer's site in front of it, Chromium. */
export interface BrowserSuite {
  readonly browser: Browser;
  readonly backend: Awaited<ReturnType<typeof startBackend>>;
  readonly host: HostServer;
  /** A new visitor (fresh context) at `path` on the host, in site `site`; closed after the test. */
  visit(
    path: string,
    site: string,
    options?: Parameters<Browser['newContext']>[0],
  ): Promise<Visitor>;
  /** A fresh context and page, not yet navigated (to set it up first); closed after the test. */
  blank(options?: Parameters<Browser['newContext']>[0]): Promise<Visitor>;
}

/**
 * Starts the world before the file's tests (`setup` registers its pages on the host), closes each
 * test's visitors after it, and everything after the file.
 */
export function browserSuite(
  overrides: Partial<Config> = {},
  setup: (host: HostServer, backendUrl: string) => void = () => undefined,
): BrowserSuite {
  let browser: Browser | undefined;
  let backend: Awaited<ReturnType<typeof startBackend>> | undefined;
  let host: HostServer | undefined;
  const visitors: Visitor[] = [];
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the browser suite has not started');
    return value;
  };

  beforeAll(async () => {
    backend = await startBackend(overrides);
    host = await startHost(backend.server.url);
    browser = await launchBrowser();
    setup(host, backend.server.url);
  });
  afterEach(async () => {
    for (const v of visitors.splice(0)) await v.context.close();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await backend?.close();
  });

  return {
    get browser() {
      return ready(browser);
    },
    get backend() {
      return ready(backend);
    },
    get host() {
      return ready(host);
    },
    async visit(path, site, options = {}) {
      const v = await visitor(ready(browser), `${ready(host).url}${path}?site=${site}`, options);
      visitors.push(v);
      return v;
    },
    async blank(options = {}) {
      const context = await ready(browser).newContext(options);
      const page = await context.newPage();
      const v: Visitor = { context, page, errors: collectErrors(page), websockets: [] };
      visitors.push(v);
      return v;
    },
  };
}
