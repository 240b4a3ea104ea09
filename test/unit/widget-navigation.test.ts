/**
 * SPA navigation: `pushState`/`replaceState` are wrapped once per page (however many copies of
 * the widget run) and announce themselves, and `popstate` is heard too.
 */
import { describe, expect, it } from 'vitest';
import { NAVIGATE_EVENT, patchHistory, watchNavigation } from '../../widget/navigation.js';

/** A window stand-in: a real EventTarget with a history that records its calls. */
function fakeWindow() {
  const calls: string[] = [];
  const history = {
    pushState(_data: unknown, _unused: string, url?: string | URL | null) {
      calls.push(`push ${String(url)}`);
    },
    replaceState(_data: unknown, _unused: string, url?: string | URL | null) {
      calls.push(`replace ${String(url)}`);
    },
  } as unknown as History;
  const target = new EventTarget();
  return {
    calls,
    history,
    addEventListener: (type: string, fn: () => void) => target.addEventListener(type, fn),
    removeEventListener: (type: string, fn: () => void) => target.removeEventListener(type, fn),
    dispatchEvent: (event: Event) => target.dispatchEvent(event),
  };
}

describe('watchNavigation', () => {
  it('hears pushState, replaceState and popstate, and still navigates', () => {
    const win = fakeWindow();
    let changes = 0;
    watchNavigation(win, () => (changes += 1));
    win.history.pushState(null, '', '/a');
    win.history.replaceState(null, '', '/b');
    win.dispatchEvent(new Event('popstate'));
    expect(changes).toBe(3);
    expect(win.calls).toEqual(['push /a', 'replace /b']);
  });

  it('wraps history once, however often it is patched', () => {
    const win = fakeWindow();
    patchHistory(win);
    const wrapped = win.history.pushState;
    patchHistory(win);
    expect(win.history.pushState).toBe(wrapped);
    let events = 0;
    win.addEventListener(NAVIGATE_EVENT, () => (events += 1));
    win.history.pushState(null, '', '/a');
    expect(events).toBe(1);
  });

  it('stops when asked', () => {
    const win = fakeWindow();
    let changes = 0;
    const stop = watchNavigation(win, () => (changes += 1));
    stop();
    win.history.pushState(null, '', '/a');
    win.dispatchEvent(new Event('popstate'));
    expect(changes).toBe(0);
  });
});
