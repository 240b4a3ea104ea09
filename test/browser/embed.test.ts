/**
 * The widget on customers' pages, in real Chromium: it survives hostile CSS, passes an axe-core
 * audit, works by keyboard, tells the host page what happens (typed DOM events), copes with a
 * tag pasted twice or without a site, sits inline when placed inline, works where storage is
 * blocked, fills narrow screens, lets visitors rename themselves, shows who is typing, and says
 * in words why the server refused a message.
 */
import { join } from 'node:path';
import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  artifactsDir,
  browserSuite,
  haveChromium,
  messageTexts,
  openChat,
  send,
  waitForCount,
  waitForMessage,
  waitForStatus,
} from './support.js';

type Box = { x: number; y: number; width: number; height: number };

/** Bounding box of an element, failing loudly when it is not rendered. */
async function box(page: Page, selector: string): Promise<Box> {
  const found = await page.locator(selector).boundingBox();
  if (!found) throw new Error(`${selector} is not rendered`);
  return found;
}

/** What the chat shows in one of its parts. */
function partText(page: Page, part: string): Promise<string> {
  return page.evaluate(
    (part) =>
      document.querySelector('page-chat')?.shadowRoot?.querySelector(`[part~="${part}"]`)
        ?.textContent ?? '',
    part,
  );
}

/** axe-core's violations for the chat element (axe walks its shadow root). */
async function audit(page: Page): Promise<{ id: string; targets: string[] }[]> {
  await page.addScriptTag({ content: axe.source });
  return page.evaluate(async () => {
    // The injected copy of axe-core, on the page's window.
    const injected = (window as unknown as { axe: typeof axe }).axe;
    const element = document.querySelector('page-chat');
    if (!element) throw new Error('no <page-chat> on the page');
    const results = await injected.run(element, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
}

describe.skipIf(!haveChromium)('the widget on host pages', () => {
  const suite = browserSuite({ messageRate: { burst: 3, perSecond: 1 } }, (host, backendUrl) => {
    // A tight send rate, so one test can run into it: 3 at once, then one a second.
    const snippet = (extra: string) =>
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fixture</title></head>` +
      `<body><h1>Fixture</h1>${extra}</body></html>`;
    host.page(
      '/twice.html',
      snippet(
        '<script src="/widget.js" data-site="demo" async></script>' +
          '<script src="/widget.js" data-site="demo" async></script>',
      ),
    );
    host.page(
      '/options.html',
      snippet(
        '<script src="/widget.js" data-site="demo" data-open data-lang="fr" ' +
          'data-position="bottom-left" data-theme="dark" async></script>',
      ),
    );
    host.page('/nosite.html', snippet(`<script src="${backendUrl}/widget.js" async></script>`));
  });
  const { visit } = suite;

  it('renders intact on a page whose CSS attacks everything', async () => {
    const a = await visit('/hostile.html', 'hostile');
    await waitForCount(a.page, 1);
    await a.page.screenshot({ path: join(artifactsDir, 'hostile-closed.png') });

    const viewport = { width: 1100, height: 760 };
    const launcher = await box(a.page, 'page-chat [part="launcher"]');
    expect(launcher.height).toBeGreaterThanOrEqual(48);
    expect(launcher.width).toBeGreaterThanOrEqual(52);
    // Pinned 20px from the bottom-right corner despite `body > * { position: static }`.
    expect(Math.round(viewport.width - (launcher.x + launcher.width))).toBe(20);
    expect(Math.round(viewport.height - (launcher.y + launcher.height))).toBe(20);

    await openChat(a.page);
    await send(a.page, 'Still standing');
    await waitForMessage(a.page, 'Still standing');
    const panel = await box(a.page, 'page-chat [part="panel"]');
    expect(Math.round(panel.width)).toBe(370);
    expect(panel.height).toBeGreaterThan(400);
    const input = await box(a.page, 'page-chat textarea');
    expect(input.width).toBeGreaterThan(200);
    const style = await a.page.evaluate(() => {
      const root = document.querySelector('page-chat')?.shadowRoot;
      const text = root?.querySelector('textarea');
      const bubble = root?.querySelector('[part~="text"]');
      const s = text && getComputedStyle(text);
      return {
        fontSize: s?.fontSize,
        fontFamily: s?.fontFamily,
        textTransform: bubble && getComputedStyle(bubble).textTransform,
        opacity: bubble && getComputedStyle(bubble).opacity,
        zIndex: getComputedStyle(document.querySelector('page-chat') as Element).zIndex,
      };
    });
    expect(style).toMatchObject({
      fontSize: '14px',
      textTransform: 'none',
      opacity: '1',
      zIndex: '2147483000',
    });
    expect(style.fontFamily).not.toMatch(/comic/i);
    await a.page.screenshot({ path: join(artifactsDir, 'hostile-open.png') });
    expect(a.errors).toEqual([]);
  });

  it('passes an axe-core audit, light and dark, floating and inline', async () => {
    const a = await visit('/articles/one.html', 'audit');
    const b = await visit('/articles/one.html', 'audit', { colorScheme: 'dark' });
    await waitForCount(a.page, 2);
    await openChat(a.page);
    await openChat(b.page);
    await send(a.page, 'Light mode says hi');
    await waitForMessage(b.page, 'Light mode says hi');
    await send(b.page, 'Dark mode answers');
    await waitForMessage(a.page, 'Dark mode answers');
    await a.page.screenshot({ path: join(artifactsDir, 'audit-light.png') });
    await b.page.screenshot({ path: join(artifactsDir, 'audit-dark.png') });
    expect(await audit(a.page)).toEqual([]);
    expect(await audit(b.page)).toEqual([]);

    const c = await visit('/inline.html', 'audit');
    await waitForCount(c.page, 1);
    expect(await audit(c.page)).toEqual([]);
  });

  it('works by keyboard and tells the host page what happens', async () => {
    const a = await visit('/articles/two.html', 'keys');
    const b = await visit('/articles/two.html', 'keys');
    await waitForCount(a.page, 2);
    await a.page.evaluate(() => {
      const seen: string[] = [];
      Object.assign(window, { seen });
      for (const type of ['page-chat:open', 'page-chat:close', 'page-chat:presence'] as const) {
        document.addEventListener(type, () => seen.push(type));
      }
      document.addEventListener('page-chat:message', (e) =>
        seen.push(`message ${e.detail.message.text} own=${e.detail.own}`),
      );
    });

    // Tab reaches the launcher (after the page's own links); Enter opens and focuses the composer.
    await a.page.locator('page-chat [part="launcher"]').focus();
    await a.page.keyboard.press('Enter');
    await a.page.waitForFunction(
      () => document.querySelector('page-chat')?.shadowRoot?.activeElement?.tagName === 'TEXTAREA',
    );
    await a.page.keyboard.type('Typed, not clicked');
    await a.page.keyboard.press('Shift+Enter');
    await a.page.keyboard.type('second line');
    await a.page.keyboard.press('Enter');
    await waitForMessage(b.page, 'Typed, not clicked\nsecond line');
    await openChat(b.page);
    await send(b.page, 'Heard you');
    await waitForMessage(a.page, 'Heard you');

    // Escape closes and gives focus back to the launcher.
    await a.page.keyboard.press('Escape');
    await a.page.waitForFunction(() => {
      const chat = document.querySelector('page-chat');
      return !chat?.opened && chat?.shadowRoot?.activeElement?.getAttribute('part') === 'launcher';
    });
    const seen = await a.page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen).toContain('page-chat:open');
    expect(seen).toContain('message Typed, not clicked\nsecond line own=true');
    expect(seen).toContain('message Heard you own=false');
    expect(seen.at(-1)).toBe('page-chat:close');
  });

  it('counts unread messages on the launcher while closed', async () => {
    const a = await visit('/articles/two.html', 'unread');
    const b = await visit('/articles/two.html', 'unread');
    await waitForCount(a.page, 2);
    await openChat(b.page);
    await send(b.page, 'One');
    await send(b.page, 'Two');
    await a.page.waitForFunction(
      () =>
        document.querySelector('page-chat')?.shadowRoot?.querySelector('[part="badge"]')
          ?.textContent === '2',
    );
    const label = await a.page.locator('page-chat [part="launcher"]').getAttribute('aria-label');
    expect(label).toBe('Open chat, 2 people here, 2 unread messages');
    await openChat(a.page);
    expect(await a.page.locator('page-chat [part="badge"]').count()).toBe(0);
  });

  it('reads its options from the script tag', async () => {
    const a = await visit('/options.html', 'options');
    await waitForCount(a.page, 1);
    // data-open: shown at once, without taking the focus from the page.
    await a.page.locator('page-chat [part="panel"]').waitFor({ state: 'visible' });
    expect(await a.page.evaluate(() => document.activeElement?.tagName)).toBe('BODY');
    expect(await partText(a.page, 'title')).toBe('Discussion sur cette page');
    expect((await partText(a.page, 'presence')).trim()).toBe('1 personne ici');
    const launcher = await box(a.page, 'page-chat [part="launcher"]');
    expect(Math.round(launcher.x)).toBe(20);
    const background = await a.page.evaluate(() => {
      const panel = document.querySelector('page-chat')?.shadowRoot?.querySelector('.panel');
      return panel && getComputedStyle(panel).backgroundColor;
    });
    expect(background).toBe('rgb(27, 30, 36)');
    await a.page.screenshot({ path: join(artifactsDir, 'options-fr-dark-left.png') });
  });

  it('mounts one chat when the tag is pasted twice', async () => {
    const a = await visit('/twice.html', 'twice');
    await waitForCount(a.page, 1);
    expect(await a.page.locator('page-chat').count()).toBe(1);
    expect(await a.page.evaluate(() => document.querySelectorAll('page-chat').length)).toBe(1);
    expect(a.errors).toEqual([]);
  });

  it('explains a missing data-site in the console and mounts nothing', async () => {
    const a = await visit('/nosite.html', 'unused');
    await a.page.waitForFunction(() => customElements.get('page-chat') !== undefined);
    await expect.poll(() => a.errors.join('\n')).toMatch(/data-site is missing/);
    expect(await a.page.evaluate(() => document.querySelectorAll('page-chat').length)).toBe(0);
  });

  it('uses an inline <page-chat> where it stands, themed by the page', async () => {
    const a = await visit('/inline.html', 'inline');
    await waitForCount(a.page, 1);
    expect(await a.page.locator('page-chat [part="launcher"]').count()).toBe(0);
    const panel = await box(a.page, 'page-chat [part="panel"]');
    expect(Math.round(panel.height)).toBe(460);
    const accent = await a.page.evaluate(() => {
      const send = document.querySelector('page-chat')?.shadowRoot?.querySelector('.send');
      return send && getComputedStyle(send).getPropertyValue('--_a').trim();
    });
    expect(accent).toBe('#0f766e');
    await send(a.page, 'Inline works');
    await waitForMessage(a.page, 'Inline works');
    await a.page.screenshot({ path: join(artifactsDir, 'inline.png'), fullPage: true });
    expect(a.errors).toEqual([]);
  });

  it('works with a per-tab identity where storage throws', async () => {
    const { page } = await suite.blank();
    await page.addInitScript(() => {
      for (const name of ['localStorage', 'sessionStorage']) {
        Object.defineProperty(window, name, {
          get() {
            throw new DOMException('The operation is insecure.', 'SecurityError');
          },
        });
      }
    });
    await page.goto(`${suite.host.url}/articles/one.html?site=nostorage`);
    await waitForCount(page, 1);
    expect(await page.evaluate(() => document.querySelector('page-chat')?.visitorId)).toMatch(
      /^[A-Za-z0-9_-]{21}$/,
    );
    await openChat(page);
    await send(page, 'No storage, no problem');
    await page.waitForFunction(
      () => !document.querySelector('page-chat')?.shadowRoot?.querySelector('[part~="pending"]'),
    );
  });

  it('takes the whole screen on a narrow viewport', async () => {
    const a = await visit('/articles/one.html', 'narrow', {
      viewport: { width: 390, height: 740 },
      reducedMotion: 'reduce',
    });
    await waitForCount(a.page, 1);
    await openChat(a.page);
    const panel = await box(a.page, 'page-chat [part="panel"]');
    expect(panel).toEqual({ x: 0, y: 0, width: 390, height: 740 });
    // With reduced motion asked for, the panel appears without a transition.
    const transition = await a.page.evaluate(() => {
      const panel = document.querySelector('page-chat')?.shadowRoot?.querySelector('.panel');
      return panel && getComputedStyle(panel).transitionDuration;
    });
    expect(transition).toBe('0s');
    await a.page.screenshot({ path: join(artifactsDir, 'narrow-open.png') });
  });

  it('lets a visitor pick a name that others see and that survives a reload', async () => {
    const a = await visit('/articles/one.html', 'names');
    const b = await visit('/articles/one.html', 'names');
    await waitForCount(a.page, 2);
    await openChat(a.page);
    await a.page.locator('page-chat [part="name-button"]').click();
    await a.page.locator('page-chat [part="name-input"]').fill('Grace Hopper');
    await a.page.locator('page-chat [part="name-input"]').press('Enter');
    await a.page.waitForFunction(() =>
      document
        .querySelector('page-chat')
        ?.shadowRoot?.querySelector('[part="identity"]')
        ?.textContent?.includes('Grace Hopper'),
    );
    await send(a.page, 'Named now');
    await waitForMessage(b.page, 'Named now');
    expect(await partText(b.page, 'name')).toBe('Grace Hopper');

    await a.page.reload();
    await waitForStatus(a.page, 'connected');
    await a.page.waitForFunction(() =>
      document
        .querySelector('page-chat')
        ?.shadowRoot?.querySelector('[part="identity"]')
        ?.textContent?.includes('Grace Hopper'),
    );
  });

  it('shows who is typing, and stops when they stop', async () => {
    const a = await visit('/articles/two.html', 'typing');
    const b = await visit('/articles/two.html', 'typing');
    await waitForCount(a.page, 2);
    await openChat(a.page);
    await openChat(b.page);
    const name = await a.page.evaluate(
      () =>
        document.querySelector('page-chat')?.shadowRoot?.querySelector('[part="identity"] bdi')
          ?.textContent,
    );
    await a.page.locator('page-chat textarea').pressSequentially('Hel');
    await b.page.waitForFunction(
      (name) =>
        document
          .querySelector('page-chat')
          ?.shadowRoot?.querySelector('[part="typing"]')
          // The name is isolated (FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE) in the sentence.
          ?.textContent?.trim() === `\u2068${name}\u2069 is typing…`,
      name,
    );
    await a.page.locator('page-chat textarea').blur();
    await b.page.waitForFunction(
      () =>
        document
          .querySelector('page-chat')
          ?.shadowRoot?.querySelector('[part="typing"]')
          ?.textContent?.trim() === '',
    );
  });

  it('says in words when the server slows a visitor down, then sends anyway', async () => {
    const a = await visit('/articles/two.html', 'ratelimit');
    const b = await visit('/articles/two.html', 'ratelimit');
    await waitForCount(a.page, 2);
    await openChat(a.page);
    const texts = ['m1', 'm2', 'm3', 'm4', 'm5'];
    for (const text of texts) await send(a.page, text);
    await a.page.waitForFunction(() =>
      document
        .querySelector('page-chat')
        ?.shadowRoot?.querySelector('[part="error"]')
        ?.textContent?.startsWith('Too fast. Try again in'),
    );
    await a.page.screenshot({ path: join(artifactsDir, 'rate-limited.png') });
    await waitForMessage(b.page, 'm5');
    expect(await messageTexts(b.page)).toEqual(texts);
    await a.page.waitForFunction(
      () => !document.querySelector('page-chat')?.shadowRoot?.querySelector('[part~="pending"]'),
    );
    expect(await messageTexts(a.page)).toEqual(texts);
  });
});
