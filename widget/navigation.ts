/**
 * Single-page-app navigation: `history.pushState` and `replaceState` fire no event, so they are
 * wrapped (once per page, however many copies of the widget run) to dispatch an internal event,
 * which together with `popstate` tells the widget the page may have changed.
 */

/** Internal event dispatched on `window` after `pushState`/`replaceState`. Not public API. */
export const NAVIGATE_EVENT = 'pagechat:navigate';

/**
 * Marks a patched `History` so a second copy of the script (pasted twice, or the embed build next to the
 * ESM build) does not wrap the wrapper. `Symbol.for` is shared across bundles on one page.
 */
const PATCHED = Symbol.for('pagechat.history');

export interface NavigationHost {
  history: History;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
  dispatchEvent(event: Event): boolean;
}

/** Wraps `pushState` and `replaceState` to announce themselves; idempotent. */
export function patchHistory(win: NavigationHost): void {
  const history = win.history as History & { [PATCHED]?: true };
  if (history[PATCHED]) return;
  history[PATCHED] = true;
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      win.dispatchEvent(new Event(NAVIGATE_EVENT));
    };
  }
}

/** Calls `onChange` after every history navigation; returns the function that stops it. */
export function watchNavigation(win: NavigationHost, onChange: () => void): () => void {
  patchHistory(win);
  win.addEventListener('popstate', onChange);
  win.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    win.removeEventListener('popstate', onChange);
    win.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}
