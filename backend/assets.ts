/**
 * Static assets served by the backend: the widget bundle, loaded once at start and pre-compressed
 * (brotli and gzip) so every request is a buffer write, and the demo folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export interface Asset {
  type: string;
  etag: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
}

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

/** Compressed assets by path and modification time: brotli at quality 11 is worth doing once. */
const cache = new Map<string, Asset>();

export function loadAsset(path: string, type: string): Asset | undefined {
  if (!existsSync(path)) return undefined;
  const key = `${path}\0${statSync(path).mtimeMs}\0${type}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const identity = readFileSync(path);
  const asset: Asset = {
    type,
    etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`,
    identity,
    gzip: gzipSync(identity, { level: 9 }),
    br: brotliCompressSync(identity, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
  };
  cache.set(key, asset);
  return asset;
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
