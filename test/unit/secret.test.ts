/**
 * The server secret (backend/secret.ts): a configured one wins; otherwise one is generated once,
 * kept in the data folder with owner-only permissions, and reused on every later start.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSecret } from '../../backend/secret.js';
import { cleanup } from '../helpers/cleanup.js';
import { makeTempDir } from '../helpers/server.js';

afterEach(cleanup);

describe('resolveSecret', () => {
  it('uses the configured secret and writes nothing', async () => {
    const dir = await makeTempDir();
    expect(resolveSecret('c'.repeat(32), dir)).toBe('c'.repeat(32));
    expect(() => statSync(join(dir, 'secret'))).toThrow();
  });

  it('generates a long random secret once and reuses it', async () => {
    const dir = await makeTempDir();
    const first = resolveSecret(undefined, dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(resolveSecret(undefined, dir)).toBe(first);
    const other = await makeTempDir();
    expect(resolveSecret(undefined, other)).not.toBe(first);
  });

  it('keeps the generated secret readable by its owner only', async () => {
    const dir = await makeTempDir();
    resolveSecret(undefined, dir);
    const file = join(dir, 'secret');
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
  });

  it('refuses a kept secret that is too short rather than replacing it', async () => {
    const dir = await makeTempDir();
    writeFileSync(join(dir, 'secret'), 'short\n');
    expect(() => resolveSecret(undefined, dir)).toThrow(/secret/);
    expect(readFileSync(join(dir, 'secret'), 'utf8')).toBe('short\n');
  });
});
