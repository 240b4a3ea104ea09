/**
 * `size`: gzip and brotli size of `dist/widget.js`, against Lit + socket.io-client alone
 * (size/baseline-entry.ts) bundled by the same Rollup configuration (rollup.config.mjs, its IIFE
 * entry with only `input` and the output file replaced). Target: at most 20 KB gzip.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { rollup, type OutputOptions, type RollupOptions } from 'rollup';
import { benchDir, repoRoot } from '../lib/process.js';
import type { BenchResult, RunOptions } from '../lib/runner.js';
import { ratio, round } from '../lib/stats.js';

const TARGET_GZIP_BYTES = 20 * 1024;

/** Raw, gzip and brotli sizes, compressed as the backend serves them (backend/assets.ts). */
function sizes(code: Buffer) {
  return {
    rawBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    brotliBytes: brotliCompressSync(code, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: code.length,
      },
    }).length,
  };
}

function skipped(reason: string): BenchResult {
  return {
    name: 'size',
    what: 'gzip and brotli size of dist/widget.js',
    figures: {},
    target: `<= ${TARGET_GZIP_BYTES / 1024} KB gzip`,
    met: false,
    skipped: reason,
  };
}

/** The entry of rollup.config.mjs that writes `dist/widget.js`. */
async function widgetConfig(): Promise<RollupOptions | undefined> {
  const file = join(repoRoot, 'rollup.config.mjs');
  if (!existsSync(file)) return undefined;
  const loaded = (await import(pathToFileURL(file).href)) as { default: unknown };
  const exported =
    typeof loaded.default === 'function'
      ? await (loaded.default as (args: object) => unknown)({})
      : loaded.default;
  const configs = (Array.isArray(exported) ? exported : [exported]) as RollupOptions[];
  return configs.find((config) => {
    const outputs = [config.output ?? []].flat() as OutputOptions[];
    return outputs.some((o) => o.file?.replaceAll('\\', '/').endsWith('dist/widget.js'));
  });
}

/** Bundles `input` with the widget's configuration into a temporary file; returns its code. */
async function bundleLike(config: RollupOptions, input: string): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'pagechat-size-'));
  const previous = process.cwd();
  // The configuration's paths (tsconfig, inputs) are relative to the repository root.
  process.chdir(repoRoot);
  try {
    const bundle = await rollup({ ...config, input, onwarn: () => undefined });
    const output = [config.output ?? {}].flat()[0] as OutputOptions;
    const file = join(dir, 'baseline.js');
    await bundle.write({ ...output, file, sourcemap: false });
    await bundle.close();
    return readFileSync(file);
  } finally {
    process.chdir(previous);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function size(options: RunOptions): Promise<BenchResult> {
  const widgetFile = join(repoRoot, 'dist', 'widget.js');
  if (!existsSync(widgetFile)) {
    return skipped('dist/widget.js does not exist yet (npm run build:widget)');
  }
  const config = await widgetConfig();
  if (!config) return skipped('rollup.config.mjs has no entry writing dist/widget.js');
  const ours = sizes(readFileSync(widgetFile));
  const baseline = sizes(await bundleLike(config, join(benchDir, 'size', 'baseline-entry.ts')));
  options.log(
    `size: widget ${ours.gzipBytes} B gzip / ${ours.brotliBytes} B br; ` +
      `Lit + socket.io-client ${baseline.gzipBytes} B gzip / ${baseline.brotliBytes} B br`,
  );
  const figures = {
    ...ours,
    gzipKB: round(ours.gzipBytes / 1024, 1),
    brotliKB: round(ours.brotliBytes / 1024, 1),
    ownGzipBytes: ours.gzipBytes - baseline.gzipBytes,
  };
  return {
    name: 'size',
    what: 'dist/widget.js (gzip -9, brotli q11) vs Lit + socket.io-client bundled the same way',
    figures,
    baseline: {
      name: 'Lit + socket.io-client alone, same Rollup plugins',
      figures: {
        ...baseline,
        gzipKB: round(baseline.gzipBytes / 1024, 1),
        brotliKB: round(baseline.brotliBytes / 1024, 1),
      },
    },
    ratios: {
      gzipBytes: ratio(ours.gzipBytes, baseline.gzipBytes),
      brotliBytes: ratio(ours.brotliBytes, baseline.brotliBytes),
    },
    target: `<= ${TARGET_GZIP_BYTES / 1024} KB gzip`,
    met: ours.gzipBytes <= TARGET_GZIP_BYTES,
    notes: [
      'ownGzipBytes = widget - baseline: what pagechat adds on top of its two libraries (approximate; gzip is not additive)',
    ],
  };
}
