/**
 * Static assets served by the backend: the widget's loader (`/widget.js`) and its chunks
 * (`/widget/…`), read once at start and compressed (brotli and gzip) on first request, so every
 * later request is a buffer write; and the package root, where the demo folder is.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export interface Asset {
  type: string;
  etag: string;
  cacheControl: string;
  identity: Buffer;
  readonly gzip: Buffer;
  readonly br: Buffer;
}

/** How long browsers and CDNs may keep each kind of asset. */
export const CACHE_CONTROL = {
  /**
   * Content-hashed chunks: a new build has new names, so a name's content never changes. Kept a
   * year, never revalidated.
   */
  immutable: 'public, max-age=31536000, immutable',
  /**
   * The loader's URL is the one pasted into pages: kept five minutes, then revalidated by ETag (a
   * 304 of a few hundred bytes), so a deploy reaches every page within five minutes.
   */
  loader: 'public, max-age=300',
  /** What names the current build (`latest.js`, `manifest.json`): revalidated on every use. */
  current: 'no-cache',
} as const;

/** The package root: the nearest folder above this module holding package.json. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('pagechat: cannot find the package root');
    dir = parent;
  }
  return dir;
}

/** An asset from bytes; its compressed forms are made on first use (brotli 11 is slow-ish). */
export function createAsset(identity: Buffer, type: string, cacheControl: string): Asset {
  let gzip: Buffer | undefined;
  let br: Buffer | undefined;
  return {
    type,
    cacheControl,
    etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`,
    identity,
    get gzip() {
      return (gzip ??= gzipSync(identity, { level: 9 }));
    },
    get br() {
      return (br ??= brotliCompressSync(identity, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 11,
          [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
        },
      }));
    },
  };
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/**
 * The built widget under `distDir` (`dist/` of the package) by request path: `/widget.js` (the
 * loader; `undefined` when not built) and every chunk under `/widget/`, those of the builds kept
 * beside the current one included (rollup.config.mjs keeps the last few), so a page that loaded
 * an earlier build before a deploy in place still finds its panel and languages.
 */
export function loadWidgetAssets(distDir: string): Record<string, Asset | undefined> {
  const loader = join(distDir, 'widget.js');
  const assets: Record<string, Asset | undefined> = {
    '/widget.js': existsSync(loader)
      ? createAsset(readFileSync(loader), TYPES['.js'] ?? '', CACHE_CONTROL.loader)
      : undefined,
  };
  const chunkDir = join(distDir, 'widget');
  if (!existsSync(chunkDir)) return assets;
  const buildsFile = join(chunkDir, 'builds.json');
  const hashed = new Set<string>(
    existsSync(buildsFile)
      ? (JSON.parse(readFileSync(buildsFile, 'utf8')) as string[][]).flat()
      : [],
  );
  for (const name of readdirSync(chunkDir)) {
    const type = TYPES[extname(name)];
    const path = join(chunkDir, name);
    if (!type || name === 'builds.json' || !statSync(path).isFile()) continue;
    const cache = hashed.has(name) ? CACHE_CONTROL.immutable : CACHE_CONTROL.current;
    assets[`/widget/${name}`] = createAsset(readFileSync(path), type, cache);
  }
  return assets;
}

/** Picks the smallest encoding the client accepts. */
export function negotiate(acceptEncoding: string | undefined): 'br' | 'gzip' | 'identity' {
  const accepted = (acceptEncoding ?? '')
    .split(',')
    .map((part) => part.trim().split(';'))
    .filter(([, q]) => !q || !/^q=0(\.0*)?$/.test(q.trim()))
    .map(([name]) => name?.trim().toLowerCase());
  if (accepted.includes('br')) return 'br';
  if (accepted.includes('gzip')) return 'gzip';
  return 'identity';
}
