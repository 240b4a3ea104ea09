/**
 * The script customers paste ships on every page of their site: `dist/widget.js` must stay at or
 * under 24 KB gzipped (the hard limit; the benchmark target is 20 KB). Needs a built widget:
 * `npm test` builds before it runs the suites.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const LIMIT_BYTES = 24 * 1024;
const file = fileURLToPath(new URL('../../dist/widget.js', import.meta.url));

describe('dist/widget.js', () => {
  it('is at most 24 KB gzipped', () => {
    expect(existsSync(file), 'dist/widget.js is missing: run `npm run build:widget`').toBe(true);
    const gzipped = gzipSync(readFileSync(file), { level: 9 }).length;
    expect(gzipped).toBeLessThanOrEqual(LIMIT_BYTES);
  });

  it('is one self-contained script: no imports, no Node.js code', () => {
    const code = readFileSync(file, 'utf8');
    expect(code).not.toMatch(/^\s*import[\s{*]/m);
    expect(code).not.toMatch(/\brequire\(|process\.pid|xmlhttprequest-ssl/);
  });
});
