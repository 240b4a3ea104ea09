/**
 * `widget.js`, the one script customers paste:
 *
 *   <script src="https://chat.example.com/widget.js" data-site="acme" async></script>
 *
 * A classic script of a few hundred bytes, briefly cached: it finds its own tag and imports the
 * widget's first chunk from the same server, a content-hashed ES module cached for a year, whose
 * `boot` reads the tag's `data-*` and mounts the chat. The chunk's name is written in at build
 * time (rollup.config.mjs), so a deploy reaches a page as soon as its copy of this script is
 * revalidated. Should that chunk be gone (the server was replaced by one that no longer has it),
 * `widget/latest.js`, never cached, names the current one.
 */
declare const PAGECHAT_ENTRY: string;

interface Boot {
  boot(script: HTMLScriptElement | null): void;
}

// `document.currentScript` is only set while this script's top level runs, so it is read at once.
// The fallback covers loaders that inject a copy of the tag in a way that loses it.
const script =
  (document.currentScript as HTMLScriptElement | null) ??
  document.querySelector<HTMLScriptElement>('script[data-site][src*="widget"]');
const base = script?.src ?? location.href;
const load = (path: string): Promise<Boot> => import(new URL(path, base).href) as Promise<Boot>;

load(PAGECHAT_ENTRY)
  .catch(() => load(`widget/latest.js?${Date.now()}`))
  .then(
    (widget) => widget.boot(script),
    (error: unknown) => console.error('[pagechat] could not load the chat', error),
  );
