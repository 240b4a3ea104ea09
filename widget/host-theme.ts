/**
 * `theme="host"`: the widget follows the page's own colour scheme, as the page declares it with the
 * CSS `color-scheme` property (on the root, the body or any ancestor of the widget) or a
 * `<meta name="color-scheme">`, and switches live when the page switches (a dark-mode toggle that
 * changes a class or attribute on `<html>` or `<body>`, a replaced meta tag, or the system
 * preference for pages that support both).
 */

export type Scheme = 'light' | 'dark';

/**
 * The scheme a page uses, from the computed `color-scheme` of the element the widget sits in, the
 * page's meta tag, and the system preference. A page that names only `dark` is dark, only `light`
 * (or nothing: `normal`) light; one that supports both follows the system, as browsers do.
 */
export function schemeOf(computed: string, meta: string | null, prefersDark: boolean): Scheme {
  const declared = /\b(light|dark)\b/.test(computed) ? computed : (meta ?? '');
  const words = new Set(declared.trim().toLowerCase().split(/\s+/));
  const dark = words.has('dark');
  if (!dark) return 'light';
  return words.has('light') ? (prefersDark ? 'dark' : 'light') : 'dark';
}

/**
 * Calls `changed` with the host page's scheme now and whenever it changes, for `element` (read
 * from its parent, which carries the page's inherited `color-scheme`). Returns the stop function.
 */
export function watchHostScheme(element: Element, changed: (scheme: Scheme) => void): () => void {
  const doc = element.ownerDocument;
  const view = doc.defaultView ?? window;
  const media = view.matchMedia('(prefers-color-scheme: dark)');
  let last: Scheme | undefined;
  const check = (): void => {
    const from = element.parentElement ?? doc.documentElement;
    const meta = doc.querySelector<HTMLMetaElement>('meta[name="color-scheme"]')?.content ?? null;
    const scheme = schemeOf(view.getComputedStyle(from).colorScheme, meta, media.matches);
    if (scheme !== last) changed((last = scheme));
  };
  const observer = new MutationObserver(check);
  // Dark-mode toggles change a class, a data attribute or a style on <html> or <body>; the page
  // may also swap its meta tag. Attribute changes only on those two: cheap to watch.
  for (const node of [doc.documentElement, doc.body]) {
    if (node) observer.observe(node, { attributes: true });
  }
  if (doc.head) observer.observe(doc.head, { childList: true, subtree: true, attributes: true });
  media.addEventListener('change', check);
  check();
  return () => {
    observer.disconnect();
    media.removeEventListener('change', check);
  };
}
