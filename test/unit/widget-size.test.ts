/**
 * What the widget costs every page it is pasted on, in bytes, read from the build (`npm test`
 * builds before it runs the suites; dist/widget/manifest.json says which chunk is which):
 * - the loader (`dist/widget.js`), fetched on every page view after five minutes: at most 2 KB
 *   gzipped (the budget; it is a few hundred bytes);
 * - everything fetched before the launcher can show its count (the loader and the first-load
 *   chunks): at most 26 KB gzipped. That is a ceiling against regressions, just above today's
 *   figure; the target, 21 KB, is not met and is tracked by `npm run bench -- size`
 *   (docs/performance.md says why);
 * - the panel and each language, fetched later and only when needed: budgets of their own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const KB = 1024;
const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const manifestFile = `${dist}widget/manifest.json`;

interface Manifest {
  entry: string;
  firstLoad: string[];
  panel: string;
  languages: Record<string, string>;
  files: string[];
}

const gzipped = (path: string): number => gzipSync(readFileSync(path), { level: 9 }).length;
const chunk = (name: string): string => `${dist}widget/${name}`;

describe('the built widget', () => {
  it('is built', () => {
    expect(existsSync(manifestFile), 'dist/widget is missing: run `npm run build:widget`').toBe(
      true,
    );
  });

  const manifest = existsSync(manifestFile)
    ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest)
    : undefined;

  it('has a loader of at most 2 KB gzipped: a classic script, importing the hashed boot chunk', () => {
    const loader = readFileSync(`${dist}widget.js`, 'utf8');
    expect(gzipped(`${dist}widget.js`)).toBeLessThanOrEqual(2 * KB);
    expect(loader).not.toMatch(/^\s*(import|export)[\s{*]/m);
    expect(loader).toContain(`widget/${manifest?.entry}`);
  });

  it('fetches at most 26 KB gzipped before the launcher shows its count', () => {
    const names = manifest?.firstLoad ?? [];
    expect(names).toContain(manifest?.entry);
    const total = gzipped(`${dist}widget.js`) + names.reduce((n, f) => n + gzipped(chunk(f)), 0);
    expect(total).toBeLessThanOrEqual(26 * KB);
  });

  it('keeps the panel and every language out of the first load, each within its budget', () => {
    const first = new Set(manifest?.firstLoad);
    expect(manifest?.panel).toBeDefined();
    expect(first.has(manifest?.panel ?? '')).toBe(false);
    expect(gzipped(chunk(manifest?.panel ?? ''))).toBeLessThanOrEqual(6 * KB);
    const languages = Object.entries(manifest?.languages ?? {});
    expect(languages.length).toBeGreaterThanOrEqual(12);
    for (const [code, file] of languages) {
      expect(first.has(file), code).toBe(false);
      expect(gzipped(chunk(file)), code).toBeLessThanOrEqual(1.5 * KB);
    }
  });

  it('holds no Node.js code and bundles its libraries as published', () => {
    const code = (manifest?.files ?? []).map((f) => readFileSync(chunk(f), 'utf8')).join('\n');
    expect(code).not.toMatch(/\brequire\(|process\.pid|xmlhttprequest-ssl/);
    // socket.io-client's own methods, which the old build deleted, are there.
    expect(code).toContain('emitWithAck');
    const config = readFileSync(fileURLToPath(new URL('../../rollup.config.mjs', import.meta.url)));
    expect(String(config)).not.toMatch(/mangle:\s*\{\s*properties|_probe|encodePacket/);
  });
});
