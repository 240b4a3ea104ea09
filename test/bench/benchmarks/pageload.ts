/**
 * `pageload`: what the widget costs the page it is pasted on. A reference news article
 * (pageload/article.html, about 1,500 words, three inline figures, its own stylesheet, nothing from
 * the network) is served from an origin of its own, like a customer's site, and loaded in Chromium
 * with the CPU slowed 4x (CDP `Emulation.setCPUThrottlingRate`, roughly a mid-range phone):
 * without a chat, and with the embed tag (`<script src="BACKEND/widget.js" data-site="bench"
 * async>` injected before `</body>`, the widget a black box behind it), alternately, each load in a
 * fresh browser context (a first visit, cold cache), against a real backend in its own process
 * (build/backend/main.js, as the other benchmarks start it). Per load:
 * - every response's bytes on the wire (CDP `Network.loadingFinished` encodedDataLength, headers
 *   included), split by origin and by whether they finished before the launcher showed its count:
 *   the chat server's bytes before then are the widget's first-load cost;
 * - when the launcher shows its count (`<page-chat>`'s shadow root has a non-empty
 *   `[part="count"]`), seen in the page by MutationObservers installed before any script runs
 *   (nothing polls, so the plain page pays nothing for the watching), against the `load` event;
 * - main-thread time (CDP `Performance.getMetrics` TaskDuration, ScriptDuration, LayoutDuration,
 *   RecalcStyleDuration), read at the same point on both pages: after the count showed (with the
 *   widget) or after `load` (without), once no request has been in flight for 500 ms, so code the
 *   widget fetches at idle time after load counts too. The widget's share is the median with it
 *   minus the median without.
 * Beside the plain page, a floor: the same article with pageload/minimal-entry.ts instead of the
 * widget, the least Lit and socket.io-client do to show a live count (connect, join, render the
 * number in Shadow DOM), bundled by the widget's own build: what any widget on these two libraries
 * costs, so the widget's own share shows.
 * Then a returning visitor: the last cold load's context (same HTTP cache) loads the page again;
 * what the chat server sends before the count shows then (hashed chunks come from the cache, the
 * loader is revalidated).
 * Targets (issue 9): main thread <= 50 ms at 4x CPU throttling; launcher with its count <= 1 s
 * after load on loopback.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { chromePath, launchChromium } from '../../helpers/chromium.js';
import { benchDir, repoRoot, sleep, startServer, waitForQuiet } from '../lib/process.js';
import { serverOptions, type BenchResult, type RunOptions } from '../lib/runner.js';
import { median, ratio, round } from '../lib/stats.js';
import { bundleLike, chunkConfig } from './size.js';

const CPU_THROTTLING = 4;
const MAIN_THREAD_TARGET_MS = 50;
const LAUNCHER_TARGET_MS = 1000;
/** The network counts as idle once no request has been in flight for this long. */
const IDLE_MS = 500;
/** Longest wait for network idle; past it the metrics are read anyway and the load is flagged. */
const IDLE_CAP_MS = 20_000;
/** Longest wait for the count after `load`. */
const COUNT_TIMEOUT_MS = 30_000;
const SITE = 'bench';
/** The CDP binding the page calls when the count shows. */
const BINDING = '__pagechatBenchCount';
const TARGET = `<= ${MAIN_THREAD_TARGET_MS} ms main thread at ${CPU_THROTTLING}x CPU throttling; launcher with count <= ${LAUNCHER_TARGET_MS / 1000} s after load`;

const VIEWPORT = { width: 1280, height: 800 };

/** Without a chat, with pageload/minimal-entry.ts (the libraries' floor), with the widget. */
type Variant = 'plain' | 'minimal' | 'widget';

/** One response, as CDP reported it. */
interface Transfer {
  url: string;
  status: number | null;
  /** Bytes on the wire, headers included; 0 for a cache hit. */
  bytes: number;
  /** When it finished, ms since the page's navigation start (its `performance.now()` clock). */
  finishedAt: number;
}

/** One page load's figures; times in ms since navigation start. */
interface Load {
  variant: Variant;
  loadEventEnd: number;
  /** When `[part="count"]` first had text; null when it never did. */
  countShown: number | null;
  /** countShown - loadEventEnd. */
  launcherAfterLoad: number | null;
  /** The chat server's bytes finished before the count showed (null: it never showed). */
  widgetBytes: number | null;
  widgetRequests: number | null;
  /** The chat server's bytes by network idle (prefetches at idle time included). */
  widgetBytesByIdle: number;
  /** Every origin's bytes by network idle. */
  totalBytes: number;
  /** CDP Performance metrics at network idle, ms. */
  taskMs: number;
  scriptMs: number;
  layoutMs: number;
  styleMs: number;
  /** Requests still in flight when IDLE_CAP_MS ran out (empty when the network went idle). */
  neverIdle: string[];
  errors: string[];
  transfers: Transfer[];
}

function skipped(reason: string): BenchResult {
  return {
    name: 'pageload',
    what: 'the widget on an article page in Chromium at 4x CPU throttling',
    figures: {},
    target: TARGET,
    met: false,
    skipped: reason,
  };
}

/**
 * The customer's site on an origin of its own: `/article.html` as it is, `/article-chat.html` with
 * the embed tag before `</body>`, `/article.css`.
 */
async function startArticleServer(
  backendUrl: string,
  minimal: Map<string, Buffer>,
): Promise<{
  url: string;
  close(): Promise<void>;
}> {
  const dir = join(benchDir, 'pageload');
  const html = readFileSync(join(dir, 'article.html'), 'utf8');
  const css = readFileSync(join(dir, 'article.css'));
  const tag = `<script src="${backendUrl}/widget.js" data-site="${SITE}" async></script>`;
  const entry = [...minimal.keys()].find((name) => name.startsWith('minimal-entry'));
  const least =
    `<page-chat server="${backendUrl}"></page-chat>` +
    `<script type="module" src="/minimal/${entry}"></script>`;
  const pages: Record<string, string> = {
    '/article.html': html,
    '/article-chat.html': html.replace('</body>', `  ${tag}\n  </body>`),
    '/article-minimal.html': html.replace('</body>', `  ${least}\n  </body>`),
  };
  if (!pages['/article-chat.html']!.includes(tag)) throw new Error('article.html has no </body>');
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://article').pathname;
    const page = pages[path];
    const chunk = path.startsWith('/minimal/') ? minimal.get(path.slice(9)) : undefined;
    if (chunk) {
      // Compressed as the chat server compresses the widget, so the bytes compare.
      res
        .writeHead(200, { 'Content-Type': 'text/javascript', 'Content-Encoding': 'gzip' })
        .end(gzipSync(chunk, { level: 9 }));
    } else if (page !== undefined) {
      res
        .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
        .end(page);
    } else if (path === '/article.css') {
      res
        .writeHead(200, {
          'Content-Type': 'text/css; charset=utf-8',
          'Cache-Control': 'max-age=600',
        })
        .end(css);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/**
 * Runs in the page before any of its scripts (an init script): records when `<page-chat>`'s count
 * first has text, in `performance.now()` time, and reports it through the CDP binding. Watches with
 * MutationObservers only (the document until `<body>` exists, then `<body>`'s children, then the
 * chat's shadow root), so a page without the chat does no work for it after parsing.
 */
function watchForCount(binding: string): void {
  const w = window as unknown as Record<string, unknown>;
  const state: { countShown: number | null } = { countShown: null };
  w['__pagechatBench'] = state;
  const observers: MutationObserver[] = [];
  let body: HTMLElement | null = null;
  let root: ShadowRoot | null = null;
  let waitingForDefinition = false;
  const observe = (target: Node, options: MutationObserverInit): void => {
    const observer = new MutationObserver(check);
    observer.observe(target, options);
    observers.push(observer);
  };
  function check(): void {
    if (state.countShown !== null) return;
    if (!body && document.body) {
      body = document.body;
      // The document-wide observer was only needed to see <body> arrive.
      observers.splice(0).forEach((o) => o.disconnect());
      observe(body, { childList: true });
    }
    if (!body) return;
    let chat: Element | null = null;
    for (const child of body.children) {
      if (child.localName === 'page-chat') chat = child;
    }
    chat ??= body.querySelector('page-chat');
    if (!chat) return;
    if (!chat.shadowRoot) {
      // Mounted before its definition: the shadow root comes with the upgrade.
      if (!waitingForDefinition) {
        waitingForDefinition = true;
        void customElements.whenDefined('page-chat').then(() => queueMicrotask(check));
      }
      return;
    }
    if (chat.shadowRoot !== root) {
      root = chat.shadowRoot;
      observe(root, { childList: true, subtree: true, characterData: true });
    }
    const text = root.querySelector('[part="count"]')?.textContent?.trim();
    if (!text) return;
    state.countShown = performance.now();
    observers.splice(0).forEach((o) => o.disconnect());
    const report = w[binding];
    if (typeof report === 'function')
      (report as (payload: string) => void)(String(state.countShown));
  }
  observe(document, { childList: true, subtree: true });
  addEventListener('load', check);
}

interface CdpEvent {
  requestId: string;
}

/** One page load in `context`, measured. The page is closed afterwards. */
async function measureLoad(
  context: BrowserContext,
  url: string,
  variant: Variant,
  backendOrigin: string,
): Promise<Load> {
  const page: Page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/404/.test(message.text())) errors.push(message.text());
  });
  try {
    const cdp: CDPSession = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_THROTTLING });
    await cdp.send('Network.enable');
    await cdp.send('Performance.enable');
    await cdp.send('Runtime.enable');
    await cdp.send('Runtime.addBinding', { name: BINDING });

    const urls = new Map<string, string>();
    const statuses = new Map<string, number>();
    const inflight = new Set<string>();
    /** [requestId, bytes, monotonic seconds] of every finished response. */
    const finished: { id: string; bytes: number; at: number }[] = [];
    let lastActivity = performance.now();
    cdp.on('Network.requestWillBeSent', (e: CdpEvent & { request: { url: string } }) => {
      urls.set(e.requestId, e.request.url);
      inflight.add(e.requestId);
      lastActivity = performance.now();
    });
    cdp.on(
      'Network.responseReceived',
      (e: CdpEvent & { response: { url: string; status: number } }) => {
        urls.set(e.requestId, e.response.url);
        statuses.set(e.requestId, e.response.status);
      },
    );
    cdp.on(
      'Network.loadingFinished',
      (e: CdpEvent & { encodedDataLength: number; timestamp: number }) => {
        finished.push({ id: e.requestId, bytes: e.encodedDataLength, at: e.timestamp });
        inflight.delete(e.requestId);
        lastActivity = performance.now();
      },
    );
    cdp.on('Network.loadingFailed', (e: CdpEvent) => {
      inflight.delete(e.requestId);
      lastActivity = performance.now();
    });
    let countReported: (at: number) => void = () => undefined;
    const counted = new Promise<number>((resolve) => (countReported = resolve));
    cdp.on('Runtime.bindingCalled', (e: { name: string; payload: string }) => {
      if (e.name === BINDING) countReported(Number(e.payload));
    });

    // As source: tsx names functions with an `__name` helper that the page does not have.
    await page.addInitScript({
      content: `(() => { const __name = (f) => f; (${watchForCount.toString()})(${JSON.stringify(BINDING)}); })();`,
    });
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    if (variant === 'widget') {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        counted,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, COUNT_TIMEOUT_MS))),
      ]);
      clearTimeout(timer);
    }

    // Network idle: nothing in flight for IDLE_MS (WebSockets are not requests to CDP here).
    const capped = performance.now() + IDLE_CAP_MS;
    while (
      (inflight.size > 0 || performance.now() - lastActivity < IDLE_MS) &&
      performance.now() < capped
    ) {
      await sleep(25);
    }
    const neverIdle = [...inflight].map((id) => urls.get(id) ?? id);

    const { metrics } = (await cdp.send('Performance.getMetrics')) as {
      metrics: { name: string; value: number }[];
    };
    const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
    const inPage = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as
        PerformanceNavigationTiming | undefined;
      const state = (window as unknown as { __pagechatBench?: { countShown: number | null } })
        .__pagechatBench;
      return { loadEventEnd: nav?.loadEventEnd ?? NaN, countShown: state?.countShown ?? null };
    });

    // CDP timestamps and NavigationStart are the same monotonic clock, in seconds; the page's
    // performance.now() counts from navigation start.
    const navigationStart = metric('NavigationStart');
    const transfers: Transfer[] = finished.map((f) => ({
      url: urls.get(f.id) ?? '',
      status: statuses.get(f.id) ?? null,
      bytes: f.bytes,
      finishedAt: round((f.at - navigationStart) * 1000, 1),
    }));
    // The chat's code: the chat server's files, or the minimal baseline's chunks.
    const fromBackend = transfers.filter(
      (t) => origin(t.url) === backendOrigin || new URL(t.url).pathname.startsWith('/minimal/'),
    );
    const sum = (list: Transfer[]): number => list.reduce((n, t) => n + t.bytes, 0);
    const { countShown } = inPage;
    const beforeCount =
      countShown === null ? null : fromBackend.filter((t) => t.finishedAt <= countShown);
    return {
      variant,
      loadEventEnd: round(inPage.loadEventEnd, 1),
      countShown: countShown === null ? null : round(countShown, 1),
      launcherAfterLoad: countShown === null ? null : round(countShown - inPage.loadEventEnd, 1),
      widgetBytes: beforeCount && sum(beforeCount),
      widgetRequests: beforeCount && beforeCount.length,
      widgetBytesByIdle: sum(fromBackend),
      totalBytes: sum(transfers),
      taskMs: round(metric('TaskDuration') * 1000, 1),
      scriptMs: round(metric('ScriptDuration') * 1000, 1),
      layoutMs: round(metric('LayoutDuration') * 1000, 1),
      styleMs: round(metric('RecalcStyleDuration') * 1000, 1),
      neverIdle,
      errors,
      transfers,
    };
  } finally {
    await page.close();
  }
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/** Median of the non-null values, rounded; NaN when there are none. */
const med = (values: (number | null)[]): number =>
  round(median(values.filter((v): v is number => v !== null)), 1);

function describe(load: Load): string {
  if (load.variant === 'plain') {
    return `plain: load ${round(load.loadEventEnd, 0)} ms, ${load.totalBytes} B, tasks ${round(load.taskMs, 0)} ms`;
  }
  const count =
    load.countShown === null
      ? 'count never shown'
      : `count at ${round(load.countShown, 0)} ms (${round(load.launcherAfterLoad ?? NaN, 0)} ms after load), ` +
        `${load.widgetBytes} B in ${load.widgetRequests} responses from the chat server before it`;
  return (
    `${load.variant}: load ${round(load.loadEventEnd, 0)} ms, ${count}, ${load.widgetBytesByIdle} B by idle, ` +
    `tasks ${round(load.taskMs, 0)} ms` +
    (load.neverIdle.length > 0 ? `, network never idle (${load.neverIdle.join(', ')})` : '') +
    (load.errors.length > 0 ? `, page errors: ${load.errors.slice(0, 2).join(' | ')}` : '')
  );
}

export async function pageload(options: RunOptions): Promise<BenchResult> {
  if (!existsSync(chromePath)) {
    return skipped(
      `Chromium not found at ${chromePath} (install Debian's chromium package or set CHROME_PATH)`,
    );
  }
  if (!existsSync(join(repoRoot, 'dist', 'widget.js'))) {
    return skipped('dist/widget.js is not built yet (npm run build:widget)');
  }
  const runs = options.quick ? 3 : 7;
  await waitForQuiet(30, 60_000, options.log);
  const config = await chunkConfig();
  if (!config) return skipped('rollup.config.mjs exports no widgetBuilds()');
  const minimal = await bundleLike(config, join(benchDir, 'pageload', 'minimal-entry.ts'));
  const backend = await startServer(
    'pagechat',
    serverOptions('pagechat', options, { env: { PAGECHAT_SITES: SITE } }),
  );
  let article: Awaited<ReturnType<typeof startArticleServer>> | undefined;
  let browser: Browser | undefined;
  try {
    article = await startArticleServer(backend.url, minimal);
    browser = await launchChromium();
    const backendOrigin = origin(backend.url);
    const urls: Record<Variant, string> = {
      plain: `${article.url}/article.html`,
      minimal: `${article.url}/article-minimal.html`,
      widget: `${article.url}/article-chat.html`,
    };
    const loads: Record<Variant, Load[]> = { plain: [], minimal: [], widget: [] };
    let repeat: Load | undefined;

    // Round 0 warms Chromium, both servers and the backend's compressed copies; not counted.
    for (let i = 0; i <= runs; i++) {
      for (const variant of ['plain', 'minimal', 'widget'] as const) {
        const context = await browser.newContext({ viewport: VIEWPORT });
        try {
          const load = await measureLoad(context, urls[variant], variant, backendOrigin);
          options.log(`${i === 0 ? 'warm-up' : `run ${i}/${runs}`} ${describe(load)}`);
          if (i > 0) loads[variant].push(load);
          if (i === runs && variant === 'widget') {
            // A returning visitor: the same context, so the same HTTP cache.
            repeat = await measureLoad(context, urls.widget, 'widget', backendOrigin);
            options.log(`repeat visit ${describe(repeat)}`);
          }
        } finally {
          await context.close();
        }
      }
    }

    const { plain, minimal: least, widget } = loads;
    /** Median over `of`'s loads (the widget's by default) minus the plain page's median. */
    const added = (pick: (l: Load) => number, of: Load[] = widget): number =>
      round(med(of.map(pick)) - med(plain.map(pick)), 1);
    const shown = widget.filter((l) => l.countShown !== null).length;
    const mainThreadMs = added((l) => l.taskMs);
    const launcherAfterLoadMs = med(widget.map((l) => l.launcherAfterLoad));
    const figures = {
      widgetBytesFirstLoad: med(widget.map((l) => l.widgetBytes)),
      widgetBytesRepeatVisit: repeat?.widgetBytes ?? null,
      mainThreadMs,
      scriptMs: added((l) => l.scriptMs),
      layoutMs: added((l) => l.layoutMs),
      styleMs: added((l) => l.styleMs),
      launcherAfterLoadMs,
      launcherSinceNavigationMs: med(widget.map((l) => l.countShown)),
      countShown: `${shown}/${widget.length}`,
      plainLoadEventEndMs: med(plain.map((l) => l.loadEventEnd)),
      loadEventEndMs: med(widget.map((l) => l.loadEventEnd)),
      widgetRequestsFirstLoad: med(widget.map((l) => l.widgetRequests)),
      widgetBytesByIdle: med(widget.map((l) => l.widgetBytesByIdle)),
      widgetBytesRepeatVisitByIdle: repeat?.widgetBytesByIdle ?? null,
      totalBytes: med(widget.map((l) => l.totalBytes)),
      taskMs: med(widget.map((l) => l.taskMs)),
    };
    const baseline = {
      minimalBytesFirstLoad: med(least.map((l) => l.widgetBytes)),
      minimalMainThreadMs: added((l) => l.taskMs, least),
      minimalScriptMs: added((l) => l.scriptMs, least),
      minimalLauncherAfterLoadMs: med(least.map((l) => l.launcherAfterLoad)),
      loadEventEndMs: figures.plainLoadEventEndMs,
      totalBytes: med(plain.map((l) => l.totalBytes)),
      taskMs: med(plain.map((l) => l.taskMs)),
    };
    options.log(
      `pageload: ${figures.widgetBytesFirstLoad} B from the chat server before the count ` +
        `(${figures.widgetBytesRepeatVisit ?? '-'} B on a repeat visit), main thread +${mainThreadMs} ms ` +
        `(script +${figures.scriptMs} ms), count ${launcherAfterLoadMs} ms after load ` +
        `(${figures.launcherSinceNavigationMs} ms after navigation start), shown in ${figures.countShown} loads; ` +
        `the minimal count: +${baseline.minimalMainThreadMs} ms, ${baseline.minimalLauncherAfterLoadMs} ms after load`,
    );
    const notes = [
      `CPU throttled ${CPU_THROTTLING}x (CDP Emulation.setCPUThrottlingRate); ${runs} cold loads of each page, alternating plain, minimal and widget, each in a fresh browser context, after one uncounted warm-up round; medians`,
      'mainThreadMs, scriptMs, layoutMs, styleMs: median with the widget minus median without of CDP Performance.getMetrics TaskDuration, ScriptDuration, LayoutDuration, RecalcStyleDuration, read once the network had been idle 500 ms after the count showed (widget) or after load (plain): code fetched at idle time counts',
      "widgetBytes*: CDP encodedDataLength (headers included) of the chat server's responses finished before the count showed (...ByIdle: by network idle); WebSocket frames are not included",
      'launcherAfterLoadMs: count shown minus loadEventEnd (negative: before load); loopback network, no latency added',
      "widgetBytesRepeatVisit: the last cold load's context loads the page again a moment later (same HTTP cache): a response from the cache counts 0 bytes, a revalidation its 304",
    ];
    const idleless = [...widget, ...plain].filter((l) => l.neverIdle.length > 0).length;
    if (idleless > 0) {
      notes.push(
        `${idleless} loads never reached network idle within ${IDLE_CAP_MS / 1000} s; their metrics were read then`,
      );
    }
    if (shown < widget.length)
      notes.push(`the count never showed in ${widget.length - shown} loads`);
    const errors = widget.flatMap((l) => l.errors);
    if (errors.length > 0)
      notes.push(`page errors with the widget: ${[...new Set(errors)].join(' | ')}`);
    return {
      name: 'pageload',
      what: `reference article in Chromium at ${CPU_THROTTLING}x CPU throttling, with the embed tag, with a minimal Lit + socket.io-client count, and without, ${runs} cold loads each`,
      figures,
      baseline: {
        name: 'the same article with the least a Lit + socket.io-client count does (pageload/minimal-entry.ts, minimal*), and without a chat (cold loads, same run)',
        figures: baseline,
      },
      ratios: {
        mainThreadMs: ratio(mainThreadMs, baseline.minimalMainThreadMs),
        launcherAfterLoadMs: ratio(launcherAfterLoadMs, baseline.minimalLauncherAfterLoadMs),
        loadEventEndMs: ratio(figures.loadEventEndMs, baseline.loadEventEndMs),
        totalBytes: ratio(figures.totalBytes, baseline.totalBytes),
        taskMs: ratio(figures.taskMs, baseline.taskMs),
      },
      target: TARGET,
      met:
        shown === widget.length &&
        mainThreadMs <= MAIN_THREAD_TARGET_MS &&
        launcherAfterLoadMs <= LAUNCHER_TARGET_MS,
      notes,
      runs: { cpuThrottling: CPU_THROTTLING, plain, minimal: least, widget, repeat },
    };
  } finally {
    await browser?.close();
    await article?.close();
    await backend.stop();
  }
}
