/**
 * The chat as visitors use it, in real Chromium against a real backend, with the host pages on
 * another origin: two visitors in one room, another room next door, identity across reloads,
 * messages written offline, and a single-page app moving between rooms. The core scenarios run
 * over WebSocket and over HTTP long-polling (`data-transports`).
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hue } from '../../widget/mark.js';
import {
  artifactsDir,
  collectErrors,
  haveChromium,
  launchBrowser,
  messageTexts,
  openChat,
  send,
  startBackend,
  startHost,
  visitor,
  waitForCount,
  waitForMessage,
  waitForStatus,
  type HostServer,
  type Visitor,
} from './support.js';

/** Whether the `li` holding `text` is marked as the visitor's own message. */
function isOwn(v: Visitor, text: string): Promise<boolean | undefined> {
  return v.page.evaluate((text) => {
    const texts = document
      .querySelector('page-chat')
      ?.shadowRoot?.querySelectorAll('[part~="text"]');
    const item = [...(texts ?? [])].find((e) => e.textContent === text)?.closest('li');
    return item?.part.contains('own');
  }, text);
}

/** Renames the visitor with the name editor, and waits until the widget says the new name. */
async function rename(v: Visitor, name: string): Promise<void> {
  await v.page.locator('page-chat [part="name-button"]').click();
  await v.page.locator('page-chat [part="name-input"]').fill(name);
  await v.page.locator('page-chat [part="name-input"]').press('Enter');
  await v.page.waitForFunction(
    (name) =>
      document.querySelector('page-chat')?.shadowRoot?.querySelector('[part="identity"] bdi')
        ?.textContent === name,
    name,
  );
}

/** How the chat shows each message group: its name element, text element and mark. */
function groups(v: Visitor) {
  return v.page.evaluate(() =>
    [...(document.querySelector('page-chat')?.shadowRoot?.querySelectorAll('li.msg') ?? [])].map(
      (li) => {
        const name = li.querySelector('[part="name"]');
        const text = li.querySelector('[part~="text"]');
        const mark = li.querySelector<HTMLElement>('[part="mark"]');
        return {
          own: li.part.contains('own'),
          nameTag: name?.tagName,
          name: name?.textContent,
          nameBidi: name && getComputedStyle(name).unicodeBidi,
          text: text?.textContent,
          textDir: text?.getAttribute('dir'),
          textBidi: text && getComputedStyle(text).unicodeBidi,
          initial: mark?.textContent,
          hue: mark?.style.getPropertyValue('--h'),
          colour: mark && getComputedStyle(mark).backgroundColor,
        };
      },
    ),
  );
}

/** Waits until nothing written on this page is still waiting for the server. */
async function waitForOutboxEmpty(v: Visitor): Promise<void> {
  await v.page.waitForFunction(
    () => !document.querySelector('page-chat')?.shadowRoot?.querySelector('[part~="pending"]'),
  );
}

describe.skipIf(!haveChromium)('the chat in Chromium', () => {
  let browser: Browser;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let host: HostServer;
  const visitors: Visitor[] = [];

  beforeAll(async () => {
    backend = await startBackend();
    host = await startHost(backend.server.url);
    browser = await launchBrowser();
  });

  afterEach(async () => {
    for (const v of visitors.splice(0)) {
      expect(v.errors, 'console errors on the page').toEqual([]);
      await v.context.close();
    }
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await backend?.close();
  });

  async function visit(path: string, query: Record<string, string>): Promise<Visitor> {
    const v = await visitor(browser, `${host.url}${path}?${new URLSearchParams(query)}`);
    visitors.push(v);
    return v;
  }

  describe.each(['websocket', 'polling'] as const)('over %s', (transport) => {
    const on = (site: string) => ({ site: `${site}-${transport}`, transports: transport });

    it('puts two visitors of one page in one room, and a third page in another', async () => {
      const a = await visit('/articles/one.html', on('pair'));
      const b = await visit('/articles/one.html', on('pair'));
      const c = await visit('/articles/two.html', on('pair'));
      await waitForCount(a.page, 2);
      await waitForCount(b.page, 2);
      await waitForCount(c.page, 1);

      await openChat(a.page);
      await send(a.page, 'Hello from A');
      await waitForMessage(b.page, 'Hello from A');
      await openChat(b.page);
      await send(b.page, 'Hi A, this is B');
      await waitForMessage(a.page, 'Hi A, this is B');
      expect(await isOwn(b, 'Hi A, this is B')).toBe(true);
      expect(await isOwn(b, 'Hello from A')).toBe(false);
      await b.page.screenshot({ path: join(artifactsDir, `chat-two-visitors-${transport}.png`) });

      // A newcomer on page one gets the conversation from the room's history; page two's room
      // never had it.
      const d = await visit('/articles/one.html', on('pair'));
      await waitForCount(d.page, 3);
      // The panel (fetched when the browser is idle after the count showed) holds the history.
      await waitForMessage(d.page, 'Hi A, this is B');
      expect(await messageTexts(d.page)).toEqual(['Hello from A', 'Hi A, this is B']);
      await c.page.reload();
      await waitForCount(c.page, 1);
      await openChat(c.page);
      expect(await messageTexts(c.page)).toEqual([]);

      // The transport asked for is the one used.
      const socketUrls = a.websockets.filter((u) => u.includes('/socket.io/'));
      if (transport === 'polling') expect(socketUrls).toEqual([]);
      else expect(socketUrls.length).toBeGreaterThan(0);
    });

    it('keeps the visitor across a reload, in localStorage and never in a cookie', async () => {
      const a = await visit('/articles/two.html', on('reload'));
      await waitForCount(a.page, 1);
      const before = await a.page.evaluate(() => document.querySelector('page-chat')?.visitorId);
      expect(before).toMatch(/^[A-Za-z0-9_-]{21}$/);
      await openChat(a.page);
      await send(a.page, 'Before the reload');
      await waitForOutboxEmpty(a);

      await a.page.reload();
      await waitForCount(a.page, 1);
      const after = await a.page.evaluate(() => document.querySelector('page-chat')?.visitorId);
      expect(after).toBe(before);
      expect(await isOwn(a, 'Before the reload')).toBe(true);
      const stored = await a.page.evaluate(() => Object.keys(localStorage));
      expect(stored).toContain(`pagechat:${backend.server.url}/reload-${transport}:token`);
      expect(await a.context.cookies()).toEqual([]);
    });

    it('queues what is written offline and delivers it once when back', async () => {
      const a = await visit('/articles/one.html', on('offline'));
      const b = await visit('/articles/one.html', on('offline'));
      await waitForCount(a.page, 2);
      await waitForCount(b.page, 2);
      await openChat(a.page);

      // The browser reports the network gone (`offline` event, navigator.onLine false, requests
      // failing); Socket.IO drops its transport on that event, as it does on a real outage.
      await a.context.setOffline(true);
      await waitForStatus(a.page, 'offline');
      await send(a.page, 'Written while offline');
      await a.page.waitForFunction(() =>
        document
          .querySelector('page-chat')
          ?.shadowRoot?.querySelector('[part~="pending"]')
          ?.textContent?.includes('Waiting to send'),
      );
      await a.page.screenshot({ path: join(artifactsDir, `chat-offline-${transport}.png`) });

      await a.context.setOffline(false);
      await waitForMessage(b.page, 'Written while offline');
      await waitForStatus(a.page, 'connected');
      await waitForOutboxEmpty(a);
      await waitForCount(a.page, 2);
      await waitForCount(b.page, 2);
      const once = (texts: string[]) => texts.filter((t) => t === 'Written while offline').length;
      expect(once(await messageTexts(a.page))).toBe(1);
      expect(once(await messageTexts(b.page))).toBe(1);
    });
  });

  it('isolates what visitors write, and tells visitors of one name apart by their id', async () => {
    const site = { site: 'marks' };
    const viewer = await visit('/articles/one.html', site);
    await openChat(viewer.page);
    const id = (v: Visitor) =>
      v.page.evaluate(() => document.querySelector('page-chat')?.visitorId ?? '');
    // Two visitors who both call themselves "אבי 2" (right-to-left letters, then a digit). Their
    // marks are coloured from their ids; 1 pair in 360 shares a hue, so a clash gets a newcomer.
    const a = await visit('/articles/one.html', site);
    let b = await visit('/articles/one.html', site);
    for (let i = 0; i < 3 && hue(await id(a)) === hue(await id(b)); i++) {
      b = await visit('/articles/one.html', site);
    }
    // A third who calls themself "You", the word the widget uses for the visitor's own messages.
    const you = await visit('/articles/one.html', site);
    for (const [v, name] of [
      [a, 'אבי 2'],
      [b, 'אבי 2'],
      [you, 'You'],
    ] as const) {
      await openChat(v.page);
      await rename(v, name);
    }

    const spoof = 'invoice_\u202efdp.exe';
    await send(a.page, spoof);
    await waitForMessage(viewer.page, spoof);
    await send(b.page, 'שלום');
    await waitForMessage(viewer.page, 'שלום');
    // The live region says it in plain text, each visitor's words isolated in the sentence.
    expect(
      await viewer.page.evaluate(
        () =>
          document.querySelector('page-chat')?.shadowRoot?.querySelector('[aria-live]')
            ?.textContent,
      ),
    ).toBe('\u2068אבי 2\u2069: \u2068שלום\u2069');
    await send(you.page, 'It is me');
    await waitForMessage(viewer.page, 'It is me');
    await send(viewer.page, 'Mine');
    await waitForMessage(viewer.page, 'Mine');
    await waitForOutboxEmpty(viewer);

    const [fromA, fromB, fromYou, mine] = await groups(viewer);
    for (const shown of [fromA, fromB, fromYou, mine]) {
      expect(shown?.nameTag).toBe('BDI');
      expect(shown?.nameBidi).toBe('isolate');
      expect(shown?.textDir).toBe('auto');
      expect(shown?.textBidi).toBe('plaintext');
    }
    expect(fromA).toMatchObject({ own: false, name: 'אבי 2', text: spoof, initial: 'א' });
    expect(fromB).toMatchObject({ own: false, name: 'אבי 2', text: 'שלום', initial: 'א' });
    expect(fromA?.hue).toBe(String(hue(await id(a))));
    expect(fromB?.hue).toBe(String(hue(await id(b))));
    expect(fromA?.colour).toMatch(/^oklch\(/);
    expect(fromA?.colour).not.toBe(fromB?.colour);
    // "You" by name is someone else: not styled as the viewer's own, and marked like others.
    expect(fromYou).toMatchObject({ own: false, name: 'You', initial: 'Y' });
    expect(mine).toMatchObject({ own: true, name: 'You', initial: undefined });
    await viewer.page.screenshot({ path: join(artifactsDir, 'chat-marks.png') });
  });

  it('resends a message whose answer was lost, and nobody sees it twice', async () => {
    const b = await visit('/articles/two.html', { site: 'lostack' });
    await waitForCount(b.page, 1);

    // A's WebSockets go through a proxy that swallows the server's answer to "Lost answer" and
    // cuts the connection right then: the server has stored and broadcast the message, but A
    // cannot know. (Every message after that passes untouched.)
    const context = await browser.newContext();
    const page = await context.newPage();
    const a: Visitor = { context, page, errors: collectErrors(page), websockets: [] };
    visitors.push(a);
    let swallowed = false;
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        const answer = typeof message === 'string' && message.startsWith('43');
        if (!swallowed && answer && message.includes('"text":"Lost answer"')) {
          swallowed = true;
          void ws.close();
          return;
        }
        ws.send(message);
      });
    });
    await page.goto(`${host.url}/articles/two.html?site=lostack`);
    await waitForCount(a.page, 2);
    await openChat(a.page);
    await send(a.page, 'Lost answer');

    // A reconnects and sends it again with the same nonce; the server answers with the original.
    await waitForMessage(b.page, 'Lost answer');
    await a.page.waitForFunction(() => document.querySelector('page-chat')?.status === 'connected');
    await waitForOutboxEmpty(a);
    expect(swallowed).toBe(true);
    await waitForCount(b.page, 2);
    expect(await messageTexts(a.page)).toEqual(['Lost answer']);
    expect(await messageTexts(b.page)).toEqual(['Lost answer']);
    expect(await isOwn(a, 'Lost answer')).toBe(true);
    // Confirmed, not given up on: no error, nothing handed back to the composer.
    expect(await a.page.locator('page-chat textarea').inputValue()).toBe('');
    expect(await a.page.locator('page-chat [part="error"]').textContent()).toBe('');
  });

  it('follows a single-page app from room to room without a reload', async () => {
    const a = await visit('/spa/', { site: 'spa' });
    const b = await visit('/spa/about', { site: 'spa' });
    await waitForCount(a.page, 1);
    await waitForCount(b.page, 1);
    await a.page.evaluate(() => Object.assign(window, { sameDocument: true }));

    await a.page.locator('a[data-route][href="/spa/about"]').click();
    await waitForCount(a.page, 2);
    await waitForCount(b.page, 2);
    expect(await a.page.evaluate(() => document.querySelector('page-chat')?.roomKey)).toBe(
      '/spa/about',
    );
    await openChat(a.page);
    await send(a.page, 'Moved without a reload');
    await waitForMessage(b.page, 'Moved without a reload');

    await a.page.goBack();
    await waitForCount(a.page, 1);
    await waitForCount(b.page, 1);
    expect(await a.page.evaluate(() => document.querySelector('page-chat')?.roomKey)).toBe('/spa');
    expect(await a.page.evaluate(() => 'sameDocument' in window)).toBe(true);
  });
});
